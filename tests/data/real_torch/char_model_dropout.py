"""Character model: LSTM on one feature per step, dropout, a linear head on the last step.

Source: github.com/K1t1k/seq2seq, src/models/rnn.py (class CharModel).
"""

import torch
from torch import nn

WARNINGS: list[str] = []


class CharModel(nn.Module):
    def __init__(self, n_vocab):
        super().__init__()
        self.lstm = nn.LSTM(input_size=1, hidden_size=256, num_layers=1, batch_first=True)
        self.dropout = nn.Dropout(0.2)
        self.linear = nn.Linear(256, n_vocab)

    def forward(self, x):
        x, _ = self.lstm(x)
        x = x[:, -1, :]
        return self.linear(self.dropout(x))


def build():
    return CharModel(n_vocab=40)


def example():
    return (torch.randn(5, 30, 1),)
