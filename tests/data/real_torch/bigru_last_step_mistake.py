"""Bidirectional GRU classifier that reads ``out[:, -1]`` as if it were both final states
(the classic mistake), with an ``h_n.view`` that mixes directions.

Source: a common pattern in public code; the bidirectional classifier of
github.com/4YCX/Decode4Action-Intent V1/model.py made bidirectional, as many forks do.
"""

import torch
from torch import nn

WARNINGS = ["h_n-view", "bidirectional-last-step"]


class BiGRUClassifier(nn.Module):
    def __init__(self, input_size, hidden_size, num_classes):
        super().__init__()
        self.gru = nn.GRU(
            input_size, hidden_size, num_layers=2, batch_first=True, bidirectional=True
        )
        self.fc = nn.Linear(2 * hidden_size, num_classes)
        self.fc_h = nn.Linear(4 * hidden_size, num_classes)

    def forward(self, x):
        out, h_n = self.gru(x)
        mixed = h_n.view(x.size(0), -1)  # (B, 4H), but the memory is (4, B, H)
        return self.fc(out[:, -1]) + self.fc_h(mixed)


def build():
    return BiGRUClassifier(input_size=3, hidden_size=8, num_classes=2)


def example():
    return (torch.randn(5, 11, 3),)
