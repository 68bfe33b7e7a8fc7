using System.CommandLine;
using Exania.Features;

namespace Exania.Cli;

/// <summary>The sliding-window options shared by <c>windows</c>, <c>pipeline</c> and <c>bench</c>.</summary>
internal sealed class WindowSettings
{
    public Option<double> Window { get; } = new("--window")
    {
        Description = "Window length in seconds: a window ending at t holds the events in (t - window, t].",
        DefaultValueFactory = _ => WindowOptions.DefaultWindowSeconds,
    };

    public Option<double> Step { get; } = new("--step")
    {
        Description = "Seconds between window ends (ends are session start + k * step).",
        DefaultValueFactory = _ => WindowOptions.DefaultStepSeconds,
    };

    public Option<int> MinActions { get; } = new("--min-actions")
    {
        Description = "Windows with fewer events are skipped.",
        DefaultValueFactory = _ => WindowOptions.DefaultMinActions,
    };

    public Option<double> Horizon { get; } = new("--horizon")
    {
        Description = "Label horizon in seconds: label 1 when a click_ad follows within it.",
        DefaultValueFactory = _ => WindowOptions.DefaultHorizonSeconds,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Window);
        command.Options.Add(Step);
        command.Options.Add(MinActions);
        command.Options.Add(Horizon);
    }

    public WindowOptions Options(ParseResult parse) => new WindowOptions
    {
        WindowSeconds = parse.GetValue(Window),
        StepSeconds = parse.GetValue(Step),
        MinActions = parse.GetValue(MinActions),
        HorizonSeconds = parse.GetValue(Horizon),
    }.Validate();
}
