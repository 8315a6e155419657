"""One-layer batch-first LSTM classifier on the last time step.

Source: github.com/4YCX/Decode4Action-Intent, V1/model.py (class LSTMClassifier).
"""

import torch
from torch import nn

WARNINGS: list[str] = []


class LSTMClassifier(nn.Module):
    def __init__(self, input_size, hidden_size, num_classes):
        super().__init__()
        self.lstm = nn.LSTM(
            input_size=input_size, hidden_size=hidden_size, num_layers=1, batch_first=True
        )
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        out, _ = self.lstm(x)  # (B, T, H)
        out = out[:, -1, :]  # the last step
        return self.fc(out)


def build():
    return LSTMClassifier(input_size=6, hidden_size=32, num_classes=4)


def example():
    return (torch.randn(8, 20, 6),)
