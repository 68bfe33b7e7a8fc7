using Exania.Core;

namespace Exania.Conversion;

/// <summary>
/// The layout of the multi-task network: an input of <see cref="Inputs"/> standardized features, a trunk of dense ReLU
/// layers shared by every task, and one linear head (a logit) per output. All parameters live in one flat array, in the
/// order of <see cref="WeightOffset"/> / <see cref="BiasOffset"/> (trunk layers, then the heads); a weight matrix is
/// row-major [out, in], as PyTorch's <c>Linear</c> stores it.
/// </summary>
public sealed class ConversionNetworkShape
{
    private readonly int[] _hidden;
    private readonly int[] _weightOffsets;
    private readonly int[] _biasOffsets;
    private readonly int[] _activationOffsets;

    /// <exception cref="ArgumentOutOfRangeException">A width or the head count is not positive, or the network is too large.</exception>
    public ConversionNetworkShape(int inputs, IReadOnlyList<int> hidden, int heads)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        if (inputs < 1)
            ExaniaThrow.ArgumentOutOfRange(nameof(inputs), inputs, "The network needs at least one input feature.");
        if (heads < 1)
            ExaniaThrow.ArgumentOutOfRange(nameof(heads), heads, "The network needs at least one head.");
        for (var l = 0; l < hidden.Count; l++)
        {
            if (hidden[l] is < 1 or > MaxWidth)
                ExaniaThrow.ArgumentOutOfRange(nameof(hidden), hidden[l], $"Trunk layer {l} must have 1 to {MaxWidth} units.");
        }
        Inputs = inputs;
        _hidden = [.. hidden];
        Heads = heads;
        _weightOffsets = new int[_hidden.Length + 1];
        _biasOffsets = new int[_hidden.Length + 1];
        long offset = 0;
        for (var l = 0; l <= _hidden.Length; l++)
        {
            _weightOffsets[l] = (int)offset;
            offset += (long)LayerOutputs(l) * LayerInputs(l);
            _biasOffsets[l] = (int)offset;
            offset += LayerOutputs(l);
            if (offset > int.MaxValue / 4)
                ExaniaThrow.ArgumentOutOfRange(nameof(hidden), offset, "The network has too many parameters.");
        }
        ParameterCount = (int)offset;
        _activationOffsets = new int[_hidden.Length + 1];
        for (var l = 0; l < _hidden.Length; l++)
            _activationOffsets[l + 1] = _activationOffsets[l] + _hidden[l];
        HiddenUnits = _activationOffsets[^1];
    }

    /// <summary>Widest trunk layer accepted.</summary>
    public const int MaxWidth = 4096;

    public int Inputs { get; }

    /// <summary>Widths of the trunk layers, input side first (may be empty: the heads then read the inputs).</summary>
    public IReadOnlyList<int> Hidden => _hidden;

    public int Heads { get; }

    /// <summary>Trunk layers plus the head layer.</summary>
    public int Layers => _hidden.Length + 1;

    /// <summary>Sum of the trunk widths: the activations one row keeps for the backward pass.</summary>
    public int HiddenUnits { get; }

    public int ParameterCount { get; }

    /// <summary>Width of what the heads read: the last trunk layer, or the inputs.</summary>
    public int TrunkOutputs => _hidden.Length == 0 ? Inputs : _hidden[^1];

    /// <summary>Input width of layer <paramref name="layer"/> (the head layer is <see cref="Layers"/> − 1).</summary>
    public int LayerInputs(int layer) => layer == 0 ? Inputs : _hidden[layer - 1];

    /// <summary>Output width of layer <paramref name="layer"/>.</summary>
    public int LayerOutputs(int layer) => layer == _hidden.Length ? Heads : _hidden[layer];

    public int WeightOffset(int layer) => _weightOffsets[layer];

    public int BiasOffset(int layer) => _biasOffsets[layer];

    /// <summary>Where layer <paramref name="layer"/>'s activations start in a row's activation buffer (trunk layers only).</summary>
    public int ActivationOffset(int layer) => _activationOffsets[layer];

    /// <summary>The widest layer input or output: the scratch a backward pass needs per buffer.</summary>
    public int MaxLayerWidth
    {
        get
        {
            var width = Math.Max(Inputs, Heads);
            foreach (var h in _hidden)
                width = Math.Max(width, h);
            return width;
        }
    }
}
