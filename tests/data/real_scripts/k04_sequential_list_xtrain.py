# Source: https://github.com/Muhammad-Rameez765/Data-Science-Internship-/blob/HEAD/Task_2_Stock_Price/model_train_test.py
# Excerpt as published (model-building part); stored as reader test input, never run.
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, shuffle=False)

model = Sequential([
    LSTM(50, return_sequences=True, input_shape=(X_train.shape[1], X_train.shape[2])),
    Dropout(0.2),
    LSTM(50, return_sequences=False),
    Dropout(0.2),
    Dense(25, activation='relu'),
    Dense(1)
])

model.compile(optimizer='adam', loss='mean_squared_error')
model.summary()

history = model.fit(X_train, y_train, epochs=50, batch_size=32, validation_split=0.1)
