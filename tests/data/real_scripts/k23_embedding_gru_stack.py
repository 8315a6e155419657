# Source: https://github.com/kirinchen/tf-class-code/blob/HEAD/Keras/Ch11/Ch11_4_2b.py
# Excerpt as published (model-building part); stored as reader test input, never run.
from keras.models import Sequential
from keras.layers import Embedding, GRU

# 定義模型
model = Sequential()
model.add(Embedding(10000, 32, input_length=100))
model.add(GRU(32, return_sequences=True))
model.add(GRU(32, return_sequences=True))
model.add(GRU(32))

model.summary()   # 顯示模型摘要資訊
