"""Bidirectional 2-layer LSTM sentiment classifier: embedding, packed sequences, both
directions' final states concatenated from ``h_n[-2]`` and ``h_n[-1]``.

Source: github.com/vivek2301/sentiment-analysis, model.py (class LSTM; the well-known
pytorch-sentiment-analysis design).
"""

import torch
from torch import nn

WARNINGS: list[str] = []


class LSTM(nn.Module):
    def __init__(
        self,
        vocab_size,
        embedding_dim,
        hidden_dim,
        output_dim,
        n_layers,
        bidirectional,
        dropout,
        pad_idx,
    ):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_idx)
        self.lstm = nn.LSTM(
            embedding_dim,
            hidden_dim,
            num_layers=n_layers,
            bidirectional=bidirectional,
            dropout=dropout,
        )
        self.fc = nn.Linear(hidden_dim * 2, output_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, text, text_lengths):
        embedded = self.dropout(self.embedding(text))  # (T, B, E)
        packed_embedded = nn.utils.rnn.pack_padded_sequence(embedded, text_lengths)
        packed_output, (hidden, cell) = self.lstm(packed_embedded)  # noqa: RUF059 (as in the source)
        hidden = self.dropout(torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1))
        return self.fc(hidden)


def build():
    return LSTM(
        vocab_size=100,
        embedding_dim=20,
        hidden_dim=32,
        output_dim=1,
        n_layers=2,
        bidirectional=True,
        dropout=0.5,
        pad_idx=1,
    )


def example():
    text = torch.randint(2, 100, (9, 4))  # (time, batch) token ids
    return (text, torch.tensor([9, 7, 5, 2]))  # lengths sorted, as pack_padded_sequence wants
