"""Bidirectional LSTM sentence encoder (NLI): packed with ``enforce_sorted=False``, the two
directions' final states ``h_n[0]`` and ``h_n[1]`` concatenated. Its ``dropout`` option on a
one-layer LSTM does nothing.

Source: github.com/ToyeshC/NLI_LSTM, Models/bi_LSTM.py (class Bi_LSTM).
"""

import torch
from torch import nn

WARNINGS = ["dropout-one-layer"]


class Bi_LSTM(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.embedding_dim = config["embedding_dim"]
        self.encoder_dim = config["encoder_dim"]
        self.lstm_encoder = nn.LSTM(
            self.embedding_dim, self.encoder_dim, dropout=config["model_new"], bidirectional=True
        )

    def forward(self, sentence, sentence_length):
        packed = nn.utils.rnn.pack_padded_sequence(
            sentence, sentence_length, batch_first=True, enforce_sorted=False
        )
        output, (h_n, c_n) = self.lstm_encoder(packed)  # noqa: RUF059 (as in the source)
        return torch.cat((h_n[0], h_n[1]), dim=-1)


def build():
    return Bi_LSTM({"embedding_dim": 12, "encoder_dim": 20, "model_new": 0.1})


def example():
    return (torch.randn(3, 8, 12), torch.tensor([5, 8, 3]))
