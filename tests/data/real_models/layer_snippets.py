"""Sequential models from public repositories and Q&A pages that use the layers of issue 13.

Each entry restates one published model as data: the layer calls as the source writes them
(old Keras 1/2 spellings included), the source's address, and the input shape Keras 3 needs.
Sizes a source takes from its data (vocabulary, sequence length, feature count) are set
here to a plausible value and named in ``filled``. ``keras3`` gives the Keras 3 spelling
where Keras 3 refuses the original. The test builds each model in real Keras 3 and in
rnnlens and compares parameter counts and output shapes layer by layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Call:
    """One layer call as written: ``Call("LSTM", 32, return_sequences=True)``."""

    name: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


def C(name: str, *args: Any, **kwargs: Any) -> Call:
    return Call(name, args, kwargs)


@dataclass(frozen=True)
class Snippet:
    source: str
    calls: list[Call]
    #: Keras 3's input: the shape after the batch, or a full batch shape for stateful models.
    keras_input: tuple[Any, ...]
    batch_shape: bool = False
    #: The Keras 3 spelling where Keras 3 refuses the source's (None: the same calls).
    keras3: list[Call] | None = None
    filled: str = ""
    legacy: bool = False


SNIPPETS: dict[str, Snippet] = {
    "imdb-embedding-lstm": Snippet(
        "https://github.com/LUIGUI55/commitss/blob/HEAD/python/tensorflow/lstm.py",
        [
            C("Embedding", input_dim=10000, output_dim=128),
            C("LSTM", 128, dropout=0.2, recurrent_dropout=0.2),
            C("Dense", 1, activation="sigmoid"),
        ],
        (None,),
        filled="sequence length (the source pads to the data's length)",
    ),
    "imdb-embedding-input-length": Snippet(
        "https://github.com/mdanie2/221Project/blob/HEAD/othlstm.py",
        [
            C("Embedding", 1000, 50, input_length=200),
            C("Dropout", 0.2),
            C("LSTM", 100, dropout=0.2, recurrent_dropout=0.2),
            C("Dense", 250, activation="relu"),
            C("Dropout", 0.2),
            C("Dense", 1, activation="sigmoid"),
        ],
        (200,),
        legacy=True,
    ),
    "peptide-conv-bilstm": Snippet(
        "https://github.com/jingry/autoBioSeqpy/blob/HEAD/examples/anticancerpeptideprediction/"
        "model/protein_CNN-RNN_model.py",
        [
            C("Embedding", 26, 256),
            C("Dropout", 0.2),
            C("Conv1D", 250, 5, padding="valid", activation="relu", strides=1),
            C("AveragePooling1D", pool_size=2),
            C("Bidirectional", C("LSTM", 256)),
            C("Dense", 1),
            C("Activation", "sigmoid"),
        ],
        (50,),
        filled="peptide length 50",
    ),
    "toxic-glove-bilstm": Snippet(
        "https://github.com/grecosalvatore/lstm-glove-binary-toxic-comment-classification/blob/"
        "HEAD/README.md",
        [
            C("Embedding", 2000, 300, weights="GLOVE", input_length=100, trainable=False),
            C("Bidirectional", C("LSTM", 256, return_sequences=True)),
            C("Dropout", 0.2),
            C("Bidirectional", C("LSTM", 256)),
            C("Dropout", 0.2),
            C("Dense", 128, activation="relu"),
            C("Dropout", 0.2),
            C("Dense", 1, activation="sigmoid"),
        ],
        (100,),
        filled="nb_words 2000, MAX_SEQUENCE_LENGTH 100, a zero GloVe matrix",
        legacy=True,
    ),
    "stateful-time-distributed-cnn-lstm": Snippet(
        "https://github.com/litpuvn/self-boosted-ts/blob/HEAD/learning-examples/cnn_lstm.py",
        [
            C(
                "TimeDistributed",
                C("Conv1D", filters=5, kernel_size=3, activation="relu"),
                batch_input_shape=(24, None, 24, 1),
            ),
            C("TimeDistributed", C("MaxPooling1D", pool_size=2)),
            C("TimeDistributed", C("Flatten")),
            C("LSTM", 50, stateful=True, return_sequences=True),
            C("LSTM", 10, stateful=True, return_sequences=True),
            C("Dense", 24),
        ],
        (24, None, 24, 1),
        batch_shape=True,
        keras3=[
            C("TimeDistributed", C("Conv1D", filters=5, kernel_size=3, activation="relu")),
            C("TimeDistributed", C("MaxPooling1D", pool_size=2)),
            C("TimeDistributed", C("Flatten")),
            C("LSTM", 50, stateful=True, return_sequences=True),
            C("LSTM", 10, stateful=True, return_sequences=True),
            C("Dense", 24),
        ],
        legacy=True,
    ),
    "time-distributed-conv-lstm": Snippet(
        "https://github.com/MDzaja/MasterThesis/blob/HEAD/models/CNN_LSTM.py",
        [
            C(
                "TimeDistributed",
                C("Conv1D", filters=64, kernel_size=3, activation="relu"),
                input_shape=(None, 32, 9),
            ),
            C("TimeDistributed", C("Conv1D", filters=64, kernel_size=3, activation="relu")),
            C("TimeDistributed", C("Dropout", 0.5)),
            C("TimeDistributed", C("MaxPooling1D", pool_size=2)),
            C("TimeDistributed", C("Flatten")),
            C("LSTM", 100),
            C("Dropout", 0.5),
            C("Dense", 100, activation="relu"),
            C("Dense", 1, activation="sigmoid"),
        ],
        (None, 32, 9),
        filled="n_length 32, n_features 9",
    ),
    "har-conv-lstm": Snippet(
        "https://github.com/Abhishek9793web/Human-Activity-Recognition-using-Deep-Learning/"
        "blob/HEAD/models/cnnlstm.py",
        [
            C("Conv1D", 64, 3, activation="relu", input_shape=(128, 9)),
            C("MaxPooling1D", 2),
            C("Conv1D", 32, 3, activation="relu"),
            C("MaxPooling1D", 2),
            C("LSTM", 64, return_sequences=True),
            C("Dropout", 0.5),
            C("LSTM", 32),
            C("Dense", 64, activation="relu"),
            C("Dropout", 0.5),
            C("Dense", 6, activation="softmax"),
        ],
        (128, 9),
        filled="UCI HAR windows (128, 9), 6 classes",
    ),
    "m5-conv-bilstm-relu": Snippet(
        "https://github.com/Avuerro/M5ForecastAccuracy/blob/HEAD/models/cnn_lstm.py",
        [
            C("Conv1D", filters=32, kernel_size=1, activation="relu", input_shape=(28, 5)),
            C("MaxPooling1D", pool_size=2),
            C("Bidirectional", C("LSTM", 20, activation="relu", return_sequences=True)),
            C("Bidirectional", C("LSTM", 10, activation="relu")),
            C("Dense", 28),
        ],
        (28, 5),
        filled="timesteps 28, n_features 5, n_outputs 28",
    ),
    "stacked-simple-rnn": Snippet(
        "https://github.com/Fantomster/py/blob/HEAD/deep_learning/rnn/SimpleRNN.py",
        [
            C("Embedding", 10000, 32),
            C("SimpleRNN", 32, return_sequences=True),
            C("SimpleRNN", 32, return_sequences=True),
            C("SimpleRNN", 32, return_sequences=True),
            C("SimpleRNN", 32),
        ],
        (None,),
        filled="sequence length (free)",
    ),
    "text-conv-global-max": Snippet(
        "https://github.com/Dominik-Hillmann/deep-learning-book",
        [
            C("Embedding", 32, 128, input_length=1000),
            C("Conv1D", 32, 7, activation="relu"),
            C("MaxPooling1D", 5),
            C("Conv1D", 32, 7, activation="relu"),
            C("GlobalMaxPooling1D"),
            C("Dense", 1),
        ],
        (1000,),
        legacy=True,
    ),
    "conv-lstm-q-and-a": Snippet(
        "https://pythonhint.com/post/6911123780998412/how-to-setup-1d-convolution-and-lstm-in-keras",
        [
            C("Conv1D", filters=64, kernel_size=3, activation="relu", input_shape=(60, 1)),
            C("MaxPooling1D", pool_size=2),
            C("LSTM", units=50, return_sequences=True),
            C("LSTM", units=50),
            C("Dense", units=1, activation="sigmoid"),
        ],
        (60, 1),
        filled="timesteps 60, features 1",
    ),
    "keras1-stacked-lstm": Snippet(
        "https://github.com/brando90/MathNet-large-scale-Mathematics-Dataset-for-Machine-Learning/"
        "blob/HEAD/lstm_example/keras/keras_example.py",
        [
            C("LSTM", 64, input_dim=64, input_length=10, return_sequences=True),
            C("LSTM", 32, return_sequences=True),
            C("LSTM", 10),
        ],
        (10, 64),
        keras3=[
            C("LSTM", 64, return_sequences=True),
            C("LSTM", 32, return_sequences=True),
            C("LSTM", 10),
        ],
        legacy=True,
    ),
    "rnn-lstm-cell": Snippet(
        "https://github.com/Samsung/ONE/blob/HEAD/res/TensorFlowPythonExamples/examples/"
        "RNN_LSTMCell_unroll/__init__.py",
        [
            C("InputLayer", input_shape=(4, 4), batch_size=1),
            C("RNN", C("LSTMCell", 2), input_shape=(4, 4), unroll=True),
        ],
        (1, 4, 4),
        batch_shape=True,
    ),
    "rnn-gru-cell": Snippet(
        "https://github.com/Samsung/ONE/blob/HEAD/res/TensorFlowPythonExamples/examples/"
        "RNN_GRUCell_unroll/__init__.py",
        [
            C("InputLayer", input_shape=(4, 4), batch_size=1),
            C("RNN", C("GRUCell", 2), input_shape=(4, 4), unroll=True),
        ],
        (1, 4, 4),
        batch_shape=True,
    ),
    "cudnn-lstm-batchnorm": Snippet(
        "https://github.com/FrostByte266/econ-ml/blob/HEAD/src/networks.py",
        [
            C("CuDNNLSTM", 128, input_shape=(60, 5), return_sequences=True),
            C("Dropout", 0.3),
            C("BatchNormalization"),
            C("CuDNNLSTM", 128, return_sequences=True),
            C("Dropout", 0.2),
            C("BatchNormalization"),
            C("CuDNNLSTM", 128),
            C("Dropout", 0.2),
            C("BatchNormalization"),
            C("Dense", 1),
        ],
        (60, 5),
        keras3=[
            C("LSTM", 128, return_sequences=True),
            C("Dropout", 0.3),
            C("BatchNormalization"),
            C("LSTM", 128, return_sequences=True),
            C("Dropout", 0.2),
            C("BatchNormalization"),
            C("LSTM", 128),
            C("Dropout", 0.2),
            C("BatchNormalization"),
            C("Dense", 1),
        ],
        filled="input_shape[1:] = (60, 5)",
        legacy=True,
    ),
    "lstm-batchnorm-dense": Snippet(
        "https://github.com/fovi-llc/StockTradingBot/blob/HEAD/src/utils/NN.py",
        [
            C(
                "LSTM",
                units=128,
                input_shape=(30, 8),
                return_sequences=False,
                kernel_initializer="glorot_uniform",
            ),
            C("BatchNormalization"),
            C("Dense", units=7, activation="relu", kernel_initializer="glorot_uniform"),
        ],
        (30, 8),
        filled="input_shape (30, 8), so units = input_shape[-1] - 1 = 7",
    ),
}
