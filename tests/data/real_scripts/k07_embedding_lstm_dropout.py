# Source: https://github.com/martinyanev94/large-language-models-agent-app/blob/HEAD/Lesson_5_Analyzing_Sentiment_With_Deep_Learning/part_7_lstm_text_classification.py
# Excerpt as published (model-building part); stored as reader test input, never run.
model = Sequential()
model.add(Embedding(input_dim=10000, output_dim=128, input_length=max_len))
model.add(LSTM(128, dropout=0.2, recurrent_dropout=0.2))
model.add(Dense(3, activation='softmax'))

model.compile(loss='sparse_categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
