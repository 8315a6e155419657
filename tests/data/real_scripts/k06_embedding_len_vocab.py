# Source: https://github.com/jeff-vincent/keras-nlp-stuffs/blob/HEAD/basic_lstm.py
# Excerpt as published (model-building part); stored as reader test input, never run.
from keras.models import Sequential
from keras.layers import Dense, LSTM, Embedding
 



model = Sequential()
model.add(Embedding(len(vectorizer.get_feature_names()) + 1,
                    64,  # Embedding size
                    input_length=MAX_SEQ_LENGHT))
model.add(LSTM(64))
model.add(Dense(units=1, activation='sigmoid'))
 
model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
print(model.summary())
