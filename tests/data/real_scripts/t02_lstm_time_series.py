# Source: https://github.com/maestria-ds-eafit/proyecto-integrador-semestre-2/blob/HEAD/notebooks/time_series/lstm/lstm.py
# Excerpt as published (model-building part); stored as reader test input, never run.
import torch.nn as nn


class LSTM(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super(LSTM, self).__init__()
        self.rnn = nn.LSTM(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, output_size)

    def forward(self, x):
        out, _ = self.rnn(x)
        out = self.fc(out[:, -1, :])
        return out
