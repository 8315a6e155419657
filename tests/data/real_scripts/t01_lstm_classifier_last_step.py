# Source: https://github.com/4YCX/Decode4Action-Intent/blob/HEAD/V1/model.py
# Excerpt as published (model-building part); stored as reader test input, never run.

import torch.nn as nn

class LSTMClassifier(nn.Module):
    def __init__(self, input_size, hidden_size, num_classes):
        super(LSTMClassifier, self).__init__()
        self.lstm = nn.LSTM(input_size=input_size, hidden_size=hidden_size,
                            num_layers=1, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        out, _ = self.lstm(x)          # [B, T, H]
        out = out[:, -1, :]            # 取最后时间步
        out = self.fc(out)             # [B, num_classes]
        return out
