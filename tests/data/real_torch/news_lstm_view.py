"""Feature-vector classifier that views each sample as a one-step sequence.

Source: github.com/jane0x5a/distilbert-vs-lstm-news-classifier, app/LSTMclassifier.py
(class LSTMClassifier).
"""

import torch
from torch import nn

WARNINGS: list[str] = []


class LSTMClassifier(nn.Module):
    def __init__(self, input_dim, hidden_dim, output_dim):
        super().__init__()
        self.lstm = nn.LSTM(input_dim, hidden_dim, batch_first=True)
        self.fc = nn.Linear(hidden_dim, output_dim)
        self.dropout = nn.Dropout(0.3)

    def forward(self, x):
        x, _ = self.lstm(x.view(len(x), 1, -1))  # (B, T=1, features)
        x = self.dropout(x)
        return self.fc(x[:, -1, :])


def build():
    return LSTMClassifier(input_dim=30, hidden_dim=16, output_dim=5)


def example():
    return (torch.randn(6, 30),)
