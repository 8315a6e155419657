# Source: https://github.com/DKU2021-ACE/DKU2021_Movie_Recommender_v2/blob/HEAD/backend_and_parser/myapp/scripts/traning.py
# Excerpt as published (model-building part); stored as reader test input, never run.
from keras.layers import Embedding, Dense, LSTM
from keras.models import Sequential
from keras.preprocessing.sequence import pad_sequences

model = Sequential()
model.add(Embedding(max_words, 100))
model.add(LSTM(128))
model.add(Dense(3, activation='softmax'))
model.compile(
    optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy']
)

history = model.fit(X_train, Y_train, epochs=10, batch_size=10, validation_split=0.1)
