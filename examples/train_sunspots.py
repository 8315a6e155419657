"""The README's training example: a stacked LSTM on the shipped yearly sunspot numbers."""

import rnnlens as rl
from rnnlens.layers import LSTM, Dense

rl.set_seed(0)
series = rl.data.load("sunspots").values.astype("float32")
x, y = rl.data.windows(series / series.max(), time_steps=12)  # (297, 12, 1), (297, 1)

model = rl.Sequential()
model.add(LSTM(64, return_sequences=True, input_shape=(12, 1)))
model.add(LSTM(32))
model.add(Dense(1))
model.compile(optimizer="adam", loss="mse", metrics=["mae"])
history = model.fit(x, y, epochs=3, batch_size=32, validation_split=0.2)
print(model.predict(x[:2]).shape)
