"""Bidirectional batch-first LSTM with a two-layer head on every step (sequence tagging).
``dropout=0`` on one layer is harmless (no warning).

Source: github.com/HoyTta0/KnowledgeDistillation, models/biLSTM.py (class biLSTM).
"""

import torch
import torch.nn.functional as F
from torch import nn

WARNINGS: list[str] = []


class biLSTM(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(
            input_size=300,
            hidden_size=256,
            num_layers=1,
            batch_first=True,
            dropout=0,
            bidirectional=True,
        )
        self.fc1 = nn.Linear(512, 128)
        self.fc2 = nn.Linear(128, 5)

    def forward(self, x, hidden=None):
        lstm_out, hidden = self.lstm(x, hidden)
        out = self.fc1(lstm_out)
        activated = F.relu(out)
        return self.fc2(activated), hidden


def build():
    return biLSTM()


def example():
    return (torch.randn(2, 7, 300),)
