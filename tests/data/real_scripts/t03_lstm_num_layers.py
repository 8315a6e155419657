# Source: https://github.com/pyyybf/Recruitment-Patterns-Analysis/blob/HEAD/LSTM/model.py
# Excerpt as published (model-building part); stored as reader test input, never run.
import torch.nn as nn


class LSTMClassifier(nn.Module):
    def __init__(self, input_dim, hidden_dim, output_dim, num_layers):
        super(LSTMClassifier, self).__init__()
        self.lstm = nn.LSTM(input_dim, hidden_dim,
                            num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_dim, output_dim)

    def forward(self, x):
        lstm_out, _ = self.lstm(x)
        lstm_out = lstm_out[:, -1, :]  # 只使用最后一个时间步的输出
        out = self.fc(lstm_out)
        return out
