# Source: https://github.com/kootenpv/neural_complete/blob/HEAD/backend/data/stephenhky/RNNQFin1/blob/c495235ac02e0724f2c9754559355a3d88372e13/QFinRNNModels.py
# Excerpt as published (model-building part); stored as reader test input, never run.


from keras.models import Sequential
from keras.layers.core import Dense, Activation
from keras.layers.recurrent import LSTM


model = Sequential()
model.add(LSTM(128, dropout_W=0.2, dropout_U=0.2))  # try using a GRU instead, for fun
model.add(Dense(1))
model.add(Activation('sigmoid'))
