namespace Directer.Training.Data;

/// <summary>Which pool of wordings the generator draws from: training data and the held-out evaluation set use different ones.</summary>
internal enum DataSplit
{
    /// <summary>Wordings the model is trained on.</summary>
    Train,

    /// <summary>Held-out wordings, never seen in training.</summary>
    Eval,
}
