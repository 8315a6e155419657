"""Word/char language model: embedding, stacked time-major LSTM with dropout, a decoder on
every step through ``view``.

Source: github.com/awaelchli/pytorch-char-rnnlm, model.py (class RNNModel, after
pytorch/examples word_language_model).
"""

import torch

WARNINGS: list[str] = []


class RNNModel(torch.nn.Module):
    def __init__(self, ntokens, ninp, nhid, nlayers, dropout=0.5):
        super().__init__()
        self.drop = torch.nn.Dropout(dropout)
        self.encoder = torch.nn.Embedding(ntokens, ninp)
        self.rnn = torch.nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = torch.nn.Linear(nhid, ntokens)
        self.nhid, self.nlayers = nhid, nlayers

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))  # (T, B, ninp)
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output.view(output.size(0) * output.size(1), output.size(2)))
        return decoded.view(output.size(0), output.size(1), decoded.size(1)), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        return (
            weight.new_zeros(self.nlayers, bsz, self.nhid),
            weight.new_zeros(self.nlayers, bsz, self.nhid),
        )


def build():
    return RNNModel(ntokens=60, ninp=24, nhid=48, nlayers=2, dropout=0.2)


def example():
    model_hidden = (torch.zeros(2, 3, 48), torch.zeros(2, 3, 48))
    return (torch.randint(0, 60, (7, 3)), model_hidden)
