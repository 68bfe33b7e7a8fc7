using Exania.Core;

namespace Exania.Learning;

/// <summary>An assignment of rows to cross-validation folds.</summary>
public sealed class FoldSplit
{
    private readonly int[] _foldOfRow;

    internal FoldSplit(int[] foldOfRow, int folds)
    {
        _foldOfRow = foldOfRow;
        Folds = folds;
    }

    public int Folds { get; }

    public int Rows => _foldOfRow.Length;

    /// <summary>The held-out fold of each row.</summary>
    public ReadOnlySpan<int> FoldOfRow => _foldOfRow;

    /// <summary>Rows held out in <paramref name="fold"/>, ascending.</summary>
    public int[] TestRows(int fold) => Select(fold, inFold: true);

    /// <summary>Rows used for training in <paramref name="fold"/>, ascending.</summary>
    public int[] TrainRows(int fold) => Select(fold, inFold: false);

    private int[] Select(int fold, bool inFold)
    {
        if ((uint)fold >= (uint)Folds)
            ExaniaThrow.ArgumentOutOfRange(nameof(fold), fold, $"Fold must be in [0, {Folds}).");
        var count = 0;
        foreach (var f in _foldOfRow)
            count += (f == fold) == inFold ? 1 : 0;
        var rows = new int[count];
        var next = 0;
        for (var i = 0; i < _foldOfRow.Length; i++)
        {
            if ((_foldOfRow[i] == fold) == inFold)
                rows[next++] = i;
        }
        return rows;
    }
}

/// <summary>Deterministic stratified k-fold splitting for 0/1 labels.</summary>
public static class StratifiedKFold
{
    /// <summary>
    /// Shuffles the rows of each class with <c>new Random(seed)</c> (Fisher-Yates; negatives, then positives) and deals
    /// them round-robin to the folds, continuing the deal from one class to the next. Every fold then holds
    /// <c>floor</c> or <c>ceil</c> of <c>n_k / folds</c> rows of each class k, and fold sizes differ by at most one.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="folds"/> is below 2 or above the minority class count.</exception>
    /// <exception cref="ArgumentException">A label is not 0/1.</exception>
    public static FoldSplit Split(ReadOnlySpan<byte> labels, int folds, int seed)
    {
        if (folds < 2)
            ExaniaThrow.ArgumentOutOfRange(nameof(folds), folds, $"Stratified k-fold needs at least 2 folds; got {folds}.");
        var positives = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] > 1)
                ExaniaThrow.Argument($"Label of row {i} is {labels[i]}; labels must be 0 or 1.", nameof(labels));
            positives += labels[i];
        }
        var negatives = labels.Length - positives;
        var minority = Math.Min(positives, negatives);
        if (minority < 2)
            ExaniaThrow.Argument($"Cross-validation needs rows of both classes, at least 2 of each; the data has {positives} positive and {negatives} negative rows of {labels.Length} (use more data).", nameof(labels));
        if (folds > minority)
        {
            var minorityLabel = positives <= negatives ? 1 : 0;
            ExaniaThrow.ArgumentOutOfRange(nameof(folds), folds,
                $"Cannot make {folds} stratified folds: the minority class (label {minorityLabel}) has only {minority} of {labels.Length} rows; use at most {minority} folds (and at least 2).");
        }

        var random = new Random(seed);
        var foldOfRow = new int[labels.Length];
        var next = 0;
        for (byte label = 0; label <= 1; label++)
        {
            var rows = new int[label == 0 ? negatives : positives];
            var count = 0;
            for (var i = 0; i < labels.Length; i++)
            {
                if (labels[i] == label)
                    rows[count++] = i;
            }
            for (var i = rows.Length - 1; i > 0; i--)
            {
                var j = random.Next(i + 1);
                (rows[i], rows[j]) = (rows[j], rows[i]);
            }
            foreach (var row in rows)
            {
                foldOfRow[row] = next;
                next = next + 1 == folds ? 0 : next + 1;
            }
        }
        return new FoldSplit(foldOfRow, folds);
    }
}
