"""Stacked batch-first LSTM classifier, positional num_layers.

Source: github.com/pyyybf/Recruitment-Patterns-Analysis, LSTM/model.py (class LSTMClassifier).
"""

import torch
from torch import nn

WARNINGS: list[str] = []


class LSTMClassifier(nn.Module):
    def __init__(self, input_dim, hidden_dim, output_dim, num_layers):
        super().__init__()
        self.lstm = nn.LSTM(input_dim, hidden_dim, num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_dim, output_dim)

    def forward(self, x):
        lstm_out, _ = self.lstm(x)
        last = lstm_out[:, -1, :]
        return self.fc(last)


def build():
    return LSTMClassifier(input_dim=10, hidden_dim=64, output_dim=3, num_layers=2)


def example():
    return (torch.randn(4, 12, 10),)
