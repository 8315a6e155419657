"""Two stacked LSTMCells stepped over ``y.split(1, dim=1)``, every step's output kept.

Source: github.com/BorMagnus/hydro-ml, models/LSTM.py (class LSTM).
"""

import torch
from torch import nn

WARNINGS: list[str] = []


class LSTM(nn.Module):
    def __init__(self, in_dim, hidden_dim, out_dim, sequence_length):
        super().__init__()
        self.hidden_dim = hidden_dim
        self.lstm1 = nn.LSTMCell(in_dim, hidden_dim)
        self.lstm2 = nn.LSTMCell(hidden_dim, hidden_dim)
        self.linear = nn.Linear(hidden_dim, hidden_dim)
        self.linear_out = nn.Linear(hidden_dim * sequence_length, out_dim)

    def forward(self, y):
        outputs = []
        h_t = torch.zeros(y.size(0), self.hidden_dim)
        c_t = torch.zeros(y.size(0), self.hidden_dim)
        h_t2 = torch.zeros(y.size(0), self.hidden_dim)
        c_t2 = torch.zeros(y.size(0), self.hidden_dim)
        for time_step in y.split(1, dim=1):  # (B, 1) each: one feature per step
            h_t, c_t = self.lstm1(time_step, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            outputs.append(self.linear(h_t2))
        outputs = torch.cat(outputs, dim=1)
        return self.linear_out(outputs)


def build():
    return LSTM(in_dim=1, hidden_dim=16, out_dim=1, sequence_length=24)


def example():
    return (torch.randn(3, 24),)
