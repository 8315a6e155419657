"""A default (``batch_first=False``) LSTM fed ``(batch, time, features)`` and read with
``out[:, -1]``: it runs along the batch and picks the last sample.

Source: constructed to exercise the warnings; the pattern is the one PyTorch's forums answer
most often ("nn.LSTM expects (seq_len, batch, input_size) unless batch_first=True").
"""

import torch
from torch import nn

WARNINGS = ["time-major-input", "batch-index"]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(2, 64)
        self.fc = nn.Linear(64, 1)

    def forward(self, x):  # x: (batch, time, features)
        out, _ = self.lstm(x)
        return self.fc(out[:, -1, :])


def build():
    return Net()


def example():
    return (torch.randn(32, 10, 2),)
