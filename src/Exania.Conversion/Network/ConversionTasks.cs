using System.Globalization;
using Exania.Core;

namespace Exania.Conversion;

/// <summary>
/// One thing the conversion network learns to predict: a 0/1 <see cref="Target"/> column, over every row or, with
/// <see cref="Given"/>, over the rows where that 0/1 column is 1 (conversion given a click: the click-to-conversion
/// efficiency). <see cref="Weight"/> multiplies its cross-entropy in the summed loss.
/// </summary>
public sealed record ConversionTask(string Target, string? Given = null, double Weight = 1)
{
    /// <summary><c>target</c>, or <c>target|given</c> for a conditional task.</summary>
    public string Name => Given is null ? Target : $"{Target}|{Given}";

    /// <summary>
    /// Parses <c>conversion:clicked,dropoff</c>: comma-separated targets, each optionally <c>:given</c>; weights, when
    /// given, are comma-separated numbers in the same order.
    /// </summary>
    /// <exception cref="ArgumentException">No target, an empty name, a repeated task, a target given itself, or weights that do not match.</exception>
    public static IReadOnlyList<ConversionTask> Parse(string targets, string? weights = null)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var parts = targets.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
            ExaniaThrow.Argument("Name at least one target column (e.g. conversion:clicked,dropoff or Revenue).", nameof(targets));
        var weightValues = new double[parts.Length];
        Array.Fill(weightValues, 1);
        if (!string.IsNullOrWhiteSpace(weights))
        {
            var w = weights.Split(',', StringSplitOptions.TrimEntries);
            if (w.Length != parts.Length)
                ExaniaThrow.Argument($"{w.Length} task weights for {parts.Length} targets; give one weight per target, in order.", nameof(weights));
            for (var i = 0; i < w.Length; i++)
            {
                if (!double.TryParse(w[i], NumberStyles.Float, CultureInfo.InvariantCulture, out weightValues[i]) || !(weightValues[i] > 0) || !double.IsFinite(weightValues[i]))
                    ExaniaThrow.Argument($"Task weight '{w[i]}' is not a positive number.", nameof(weights));
            }
        }
        var tasks = new List<ConversionTask>(parts.Length);
        for (var i = 0; i < parts.Length; i++)
        {
            var colon = parts[i].IndexOf(':', StringComparison.Ordinal);
            var target = (colon < 0 ? parts[i] : parts[i][..colon]).Trim();
            var given = colon < 0 ? null : parts[i][(colon + 1)..].Trim();
            if (target.Length == 0 || given is { Length: 0 })
                ExaniaThrow.Argument($"Target '{parts[i]}' is not of the form column or column:given.", nameof(targets));
            tasks.Add(new ConversionTask(target, given, weightValues[i]));
        }
        return Validate(tasks);
    }

    /// <exception cref="ArgumentException">See <see cref="Parse"/>.</exception>
    public static IReadOnlyList<ConversionTask> Validate(IReadOnlyList<ConversionTask> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        if (tasks.Count == 0)
            ExaniaThrow.Argument("Name at least one target column.", nameof(tasks));
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in tasks)
        {
            if (string.IsNullOrWhiteSpace(task.Target) || task.Given is { } g && string.IsNullOrWhiteSpace(g))
                ExaniaThrow.Argument("A task names an empty column.", nameof(tasks));
            if (task.Given == task.Target)
                ExaniaThrow.Argument($"Task {task.Name} is conditioned on its own target.", nameof(tasks));
            if (!(task.Weight > 0) || !double.IsFinite(task.Weight))
                ExaniaThrow.Argument($"Task {task.Name} has weight {task.Weight}; weights must be positive.", nameof(tasks));
            if (!names.Add(task.Name))
                ExaniaThrow.Argument($"Task {task.Name} is named twice.", nameof(tasks));
        }
        return tasks;
    }
}

/// <summary>
/// One output unit of the network and how it is trained. <see cref="Partner"/> is −1 for a head trained on its own
/// label (over every row, or over the <see cref="Given"/> rows); otherwise this is the ESMM click-to-conversion head,
/// trained over every row through the product σ(z_partner) σ(z_this) against <c>target ∧ given</c>.
/// </summary>
public sealed record ConversionHead(string Name, string Target, string? Given, int Partner, double Weight);

/// <summary>
/// A probability the model reports and is evaluated on: a head's own σ(z) (over its population: every row, or the rows
/// where <see cref="Population"/> is 1), or, when <see cref="Partner"/> ≥ 0, the ESMM product σ(z_partner) σ(z_head),
/// whose label is <see cref="Target"/> ∧ <see cref="AlsoRequires"/> over every row.
/// </summary>
public sealed record ConversionOutput(string Name, int Head, int Partner, string Target, string? AlsoRequires, string? Population);

/// <summary>How tasks become heads and outputs (<see cref="Plan"/>).</summary>
public static class ConversionHeads
{
    /// <summary>
    /// Without ESMM: one head per task; a conditional task's head learns from its population only. With ESMM: a
    /// conditional task's head is trained through the product with a head for its condition (added, weight 1, unless a
    /// task already predicts that column over every row), and the product is reported as <c>target&amp;given</c>.
    /// </summary>
    public static (IReadOnlyList<ConversionHead> Heads, IReadOnlyList<ConversionOutput> Outputs) Plan(IReadOnlyList<ConversionTask> tasks, bool esmm)
    {
        ConversionTask.Validate(tasks);
        var heads = new List<ConversionHead>();
        int HeadOf(string target) => heads.FindIndex(h => h.Target == target && h.Given is null);
        foreach (var task in tasks)
        {
            if (!esmm || task.Given is null)
                heads.Add(new ConversionHead(task.Name, task.Target, task.Given, -1, task.Weight));
        }
        foreach (var task in tasks)
        {
            if (!esmm || task.Given is not { } given)
                continue;
            var partner = HeadOf(given);
            if (partner < 0)
            {
                heads.Add(new ConversionHead(given, given, null, -1, 1));
                partner = heads.Count - 1;
            }
            heads.Add(new ConversionHead(task.Name, task.Target, given, partner, task.Weight));
        }
        var outputs = new List<ConversionOutput>();
        for (var h = 0; h < heads.Count; h++)
        {
            var head = heads[h];
            outputs.Add(new ConversionOutput(head.Name, h, -1, head.Target, null, head.Given));
            if (head.Partner >= 0)
                outputs.Add(new ConversionOutput($"{head.Target}&{head.Given}", h, head.Partner, head.Target, head.Given, null));
        }
        return (heads, outputs);
    }
}
