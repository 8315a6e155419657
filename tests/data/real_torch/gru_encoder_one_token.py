"""Seq2seq GRU encoder with an embedding, fed one token per call (time-major GRU).

Source: github.com/karlschwarz/summer_2019, neural_machine_translation/models/encoder.py
(class EncoderRNN, after the PyTorch seq2seq translation tutorial).
"""

import torch
from torch import nn

WARNINGS: list[str] = []


class EncoderRNN(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.embedding = nn.Embedding(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size)

    def forward(self, token, hidden):
        embedded = self.embedding(token).view(1, 1, -1)  # (T=1, B=1, H)
        output, hidden = self.gru(embedded, hidden)
        return output, hidden

    def init_hidden(self):
        return torch.zeros(1, 1, self.hidden_size)


def build():
    return EncoderRNN(input_size=50, hidden_size=16)


def example():
    return (torch.tensor([7]), torch.zeros(1, 1, 16))
