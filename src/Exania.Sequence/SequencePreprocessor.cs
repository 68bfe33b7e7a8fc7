using Exania.Events;
using Exania.Learning;

namespace Exania.Sequence;

/// <summary>What the split is drawn over: whole sessions or whole users (never individual prefixes).</summary>
public enum SplitUnit
{
    Session,
    User,

    /// <summary>
    /// Sessions by start time: the latest <see cref="SequenceOptions.TestFraction"/> of them (or those starting in the
    /// last <see cref="SequenceOptions.TestDays"/> days) are the test split, the validation fraction before them the
    /// validation split, as session-rec evaluates: a model never sees the future of what it is tested on.
    /// </summary>
    Time,
}

/// <summary>The event field that forms the token sequence and the predicted target.</summary>
public enum SequenceField
{
    Action,
    Category,
    Page,
    /// <summary>The event's <c>item_id</c> (a product or article).</summary>
    Item,
}

/// <summary>Options of <see cref="SequencePreprocessor"/>.</summary>
public sealed record SequenceOptions
{
    /// <summary>Previous events per sample (the window length).</summary>
    public int MaxLength { get; init; } = 50;

    /// <summary>Actions seen fewer times in the training split become the OOV token.</summary>
    public int MinCount { get; init; } = 1;

    public SplitUnit SplitBy { get; init; } = SplitUnit.Session;

    /// <summary>What is embedded and predicted: the action (default), the category or the page. Events without the field read "&lt;none&gt;".</summary>
    public SequenceField Field { get; init; } = SequenceField.Action;

    /// <summary>Further fields embedded as inputs beside <see cref="Field"/> (each with its own vocabulary and embedding), e.g. the category.</summary>
    public IReadOnlyList<SequenceField> ExtraInputs { get; init; } = [];

    /// <summary>
    /// Numeric event fields fed to each step beside the gap: <see cref="EventField.ScrollDepth"/> as it is (0..1),
    /// <see cref="EventField.Cost"/> and <see cref="EventField.Revenue"/> as sign·log1p(|x|). A missing value is 0.
    /// </summary>
    public IReadOnlyList<EventField> NumericInputs { get; init; } = [];
    public double ValidationFraction { get; init; } = 0.1;
    public double TestFraction { get; init; } = 0.1;

    /// <summary>With <see cref="SplitUnit.Time"/>: the test split is the sessions starting in the last this many days (0 = use <see cref="TestFraction"/>).</summary>
    public double TestDays { get; init; }

    public int Seed { get; init; }

    /// <summary>
    /// Drop the samples whose target is outside the training vocabulary (<c>&lt;oov&gt;</c>), in every split, counted in
    /// <see cref="SequenceDataset.OovTargetsDropped"/>. Item-like targets need it: most test items are unseen, and
    /// "the next item is some unseen item" is a hit nobody can use (session-based recommenders evaluate the same way).
    /// OOV tokens still appear as inputs.
    /// </summary>
    public bool DropOovTargets { get; init; }

    /// <summary>
    /// Memory the sample matrices may take, in bytes; 0 (the default) means 80% of what the runtime reports available
    /// (the machine's memory, or the container's limit). Samples are left-padded to <see cref="MaxLength"/>, so their
    /// size is samples × <see cref="MaxLength"/> × inputs per step × 4 bytes; a dataset that would not fit is refused
    /// with that figure before anything is allocated, instead of failing deep inside with out-of-memory.
    /// </summary>
    public long MemoryBudgetBytes { get; init; }

    public static SequenceOptions Defaults { get; } = new();

    /// <summary>The event fields that can be numeric inputs.</summary>
    public static bool IsNumericInput(EventField field) => field is EventField.ScrollDepth or EventField.Cost or EventField.Revenue;

    /// <summary>A numeric input from its column name (<c>scroll_depth</c>, <c>cost</c>, <c>revenue</c>).</summary>
    /// <exception cref="ArgumentException">The name is not one of them.</exception>
    public static EventField ParseNumericInput(string? name) =>
        EventFields.TryParse(name ?? "", out var field) && IsNumericInput(field)
            ? field
            : throw new ArgumentException($"numeric input '{name}' is not one of scroll_depth, cost, revenue.");

    /// <summary>Longest window of events a model may look at (10,000): bounds every per-step buffer a model file or option can ask for.</summary>
    public const int MaxLengthLimit = 10_000;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLength, 1, nameof(MaxLength));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxLength, MaxLengthLimit, nameof(MaxLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinCount, 1, nameof(MinCount));
        ArgumentOutOfRangeException.ThrowIfNegative(Seed, nameof(Seed));
        if (ExtraInputs.Contains(Field) || ExtraInputs.Distinct().Count() != ExtraInputs.Count)
            throw new ArgumentException($"The extra inputs ({string.Join(", ", ExtraInputs)}) must differ from each other and from the predicted field {Field}.");
        foreach (var numeric in NumericInputs)
            if (!IsNumericInput(numeric))
                throw new ArgumentException($"{EventFields.Name(numeric)} is not a numeric input; use scroll_depth, cost or revenue.");
        if (NumericInputs.Distinct().Count() != NumericInputs.Count)
            throw new ArgumentException("A numeric input is listed twice.");
    }

    /// <param name="separateTest">The test split comes from a file of its own, so the test fraction must be 0.</param>
    internal void Validate(bool separateTest)
    {
        Validate();
        if (!(TestDays >= 0 && double.IsFinite(TestDays)))
            throw new ArgumentOutOfRangeException(nameof(TestDays), TestDays, "--test-days must be a number of days >= 0.");
        if (TestDays > 0 && (SplitBy != SplitUnit.Time || separateTest))
            throw new ArgumentException("--test-days cuts the test split by time: it needs --split-by time and no separate test file.", nameof(TestDays));
        if (separateTest)
        {
            if (TestFraction != 0)
                throw new ArgumentOutOfRangeException(nameof(TestFraction), TestFraction, "With a separate test file the test split is that file: the test fraction of the training events must be 0.");
            if (!(ValidationFraction >= 0 && ValidationFraction < 1))
                throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "The validation fraction must be in [0, 1).");
        }
        else if (!(ValidationFraction >= 0 && (TestFraction > 0 || TestDays > 0) && ValidationFraction + TestFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(TestFraction), $"Validation ({ValidationFraction}) and test ({TestFraction}) fractions must be >= 0 and > 0 with a sum below 1.");
    }
}

/// <summary>
/// A cleaned session in time order: the values of the predicted field (<see cref="Actions"/>, action names by default),
/// the timestamps, and the values of each extra input field.
/// </summary>
public sealed record SessionPrefix(string Session, string User, IReadOnlyList<string> Actions, IReadOnlyList<double> Timestamps,
    IReadOnlyList<IReadOnlyList<string>> ExtraValues)
{
    /// <summary>The values of each numeric input, one per event (see <see cref="SequenceOptions.NumericInputs"/>).</summary>
    public IReadOnlyList<IReadOnlyList<float>> NumericValues { get; init; } = [];
}

/// <summary>What cleaning did, counted.</summary>
public sealed record CleaningReport(
    int EventsIn,
    int DuplicatesRemoved,
    int OutOfOrderEvents,
    int SessionsReordered,
    int SessionsIn,
    int EmptySessionsDropped,
    int Sessions)
{
    /// <summary>
    /// Events that share their session's timestamp with an earlier event, counted when every timestamp of the log is a
    /// whole UTC day (dates without times): their order within the day is the file's, and two views of the same item on
    /// one day are exact duplicates to the cleaning. Zero when the timestamps carry times.
    /// </summary>
    public int DateOnlyTies { get; init; }
}

/// <summary>Train/validation/test samples over one vocabulary, with the cleaning report.</summary>
public sealed class SequenceDataset
{
    internal SequenceDataset(SequenceVocabulary vocabulary, IReadOnlyList<SequenceVocabulary> extraVocabularies, SequenceSamples train, SequenceSamples validation, SequenceSamples test,
        string[] sessionNames, CleaningReport cleaning, int[] splitSizes, SequenceOptions options)
    {
        Vocabulary = vocabulary;
        ExtraVocabularies = extraVocabularies;
        Train = train;
        Validation = validation;
        Test = test;
        SessionNames = sessionNames;
        Cleaning = cleaning;
        TrainUnits = splitSizes[0];
        ValidationUnits = splitSizes[1];
        TestUnits = splitSizes[2];
        Options = options;
    }

    public SequenceVocabulary Vocabulary { get; }

    /// <summary>One vocabulary per <see cref="SequenceOptions.ExtraInputs"/> field.</summary>
    public IReadOnlyList<SequenceVocabulary> ExtraVocabularies { get; }

    public SequenceSamples Train { get; }
    public SequenceSamples Validation { get; }
    public SequenceSamples Test { get; }

    /// <summary>Names of the kept sessions; <see cref="SequenceSamples.Sessions"/> index into it.</summary>
    public string[] SessionNames { get; }

    public CleaningReport Cleaning { get; }
    public int TrainUnits { get; }
    public int ValidationUnits { get; }
    public int TestUnits { get; }
    public SequenceOptions Options { get; }

    /// <summary>Samples dropped for an <c>&lt;oov&gt;</c> target (train, validation, test); zeros unless <see cref="SequenceOptions.DropOovTargets"/>.</summary>
    public IReadOnlyList<int> OovTargetsDropped { get; init; } = [0, 0, 0];

    /// <summary>The training sessions' whole token sequences (what the session-based baselines are fitted on).</summary>
    public IReadOnlyList<int[]> TrainSessionTokens { get; init; } = [];

    /// <summary>The index in <see cref="SessionNames"/> (and <see cref="SequenceSamples.Sessions"/>) of each training session, in <see cref="TrainSessionTokens"/> order.</summary>
    public IReadOnlyList<int> TrainSessionIds { get; init; } = [];

    /// <summary>Each training session's user (the user-history prior).</summary>
    public IReadOnlyList<string> TrainSessionUsers { get; init; } = [];

    /// <summary>Each training session's last timestamp (the recency of a neighbour in SKNN).</summary>
    public IReadOnlyList<double> TrainSessionEnds { get; init; } = [];
}

/// <summary>
/// Events → next-action samples. Cleaning: exact duplicate events (same session, user, timestamp, action and
/// attributes) are removed, each session is sorted by timestamp (ties in file order) and sessions with fewer than two
/// events (no input → target pair) are dropped, all counted. The split shuffles sessions (or users) with numpy's
/// <c>RandomState(seed).permutation</c> and cuts train | validation | test, so no session contributes to two splits.
/// The vocabulary is counted on the training split only. Samples follow <c>seq_next_action.py</c>: for event
/// <c>i ≥ 1</c> the input is events <c>i−L..i−1</c> (left-padded) with <c>log1p(t_j − t_{j−1})</c> per step
/// (0 for the session's first event) and the target is action <c>i</c>.
/// </summary>
public static class SequencePreprocessor
{
    /// <summary>The token of an event without the chosen field (no category, page or item).</summary>
    public const string NoValue = "<none>";

    /// <param name="log">The events to learn from (and to split, unless <paramref name="testLog"/> is given).</param>
    /// <param name="options">Preprocessing options; <see cref="SequenceOptions.Defaults"/> when null.</param>
    /// <param name="testLog">
    /// Separate test events: every session of it is a test session and the training events are split into train and
    /// validation only (the test fraction must be 0). Its sessions are cleaned alike and indexed after the training
    /// ones in <see cref="SequenceDataset.SessionNames"/>.
    /// </param>
    public static SequenceDataset Build(EventLog log, SequenceOptions? options = null, EventLog? testLog = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        options ??= SequenceOptions.Defaults;
        options.Validate(testLog is not null);
        var (sessions, cleaning) = Clean(log, 2, options.Field, options.ExtraInputs, options.NumericInputs);
        var trainingSessions = sessions.Count;
        if (testLog is not null)
        {
            var (testSessions, testCleaning) = Clean(testLog, 2, options.Field, options.ExtraInputs, options.NumericInputs);
            if (testSessions.Count == 0)
                throw new ArgumentException("The test events hold no session with at least two events.");
            sessions.AddRange(testSessions);
            cleaning = new CleaningReport(cleaning.EventsIn + testCleaning.EventsIn, cleaning.DuplicatesRemoved + testCleaning.DuplicatesRemoved,
                cleaning.OutOfOrderEvents + testCleaning.OutOfOrderEvents, cleaning.SessionsReordered + testCleaning.SessionsReordered,
                cleaning.SessionsIn + testCleaning.SessionsIn, cleaning.EmptySessionsDropped + testCleaning.EmptySessionsDropped, sessions.Count)
            {
                DateOnlyTies = cleaning.DateOnlyTies + testCleaning.DateOnlyTies,
            };
        }
        if (trainingSessions < (testLog is null ? 3 : 1))
            throw new ArgumentException($"Only {trainingSessions} session(s) with at least two events; a train/validation/test split needs at least 3.");

        var (parts, splitSizes) = Split(sessions, trainingSessions, options);
        SequenceVocabulary FitOnTrain(Func<SessionSequence, string[]> values)
        {
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var s in parts[0])
                foreach (var a in values(sessions[s]))
                    counts[a] = counts.GetValueOrDefault(a) + 1;
            return SequenceVocabulary.Fit(counts, options.MinCount);
        }
        var vocabulary = FitOnTrain(s => s.Actions);
        var extraVocabularies = new SequenceVocabulary[options.ExtraInputs.Count];
        for (var k = 0; k < extraVocabularies.Length; k++)
        {
            var input = k;
            extraVocabularies[k] = FitOnTrain(s => s.ExtraValues[input]);
        }
        foreach (var session in sessions)
            for (var i = 0; i < session.Tokens.Length; i++)
            {
                session.Tokens[i] = vocabulary.IndexOf(session.Actions[i]);
                for (var k = 0; k < extraVocabularies.Length; k++)
                    session.ExtraTokens[k][i] = extraVocabularies[k].IndexOf(session.ExtraValues[k][i]);
            }

        RequireSampleMemory(sessions, options);
        return new SequenceDataset(vocabulary, extraVocabularies,
            SequenceSamples.Build(sessions, parts[0], options.MaxLength, options.DropOovTargets, out var droppedTrain),
            SequenceSamples.Build(sessions, parts[1], options.MaxLength, options.DropOovTargets, out var droppedValidation),
            SequenceSamples.Build(sessions, parts[2], options.MaxLength, options.DropOovTargets, out var droppedTest),
            [.. sessions.Select(s => s.Name)], cleaning, splitSizes, options)
        {
            OovTargetsDropped = [droppedTrain, droppedValidation, droppedTest],
            TrainSessionTokens = [.. parts[0].Select(s => sessions[s].Tokens)],
            TrainSessionIds = [.. parts[0]],
            TrainSessionEnds = [.. parts[0].Select(s => sessions[s].Timestamps[^1])],
            TrainSessionUsers = [.. parts[0].Select(s => sessions[s].User)],
        };
    }

    /// <summary>
    /// The sessions of each split (train, validation, test) and the number of split units in each. Sessions at or after
    /// <paramref name="trainingSessions"/> come from a separate test file and are all test sessions.
    /// </summary>
    private static (List<int>[] Parts, int[] Sizes) Split(List<SessionSequence> sessions, int trainingSessions, SequenceOptions options)
    {
        var parts = new List<int>[] { [], [], [] };
        var separateTest = trainingSessions < sessions.Count;
        for (var s = trainingSessions; s < sessions.Count; s++) parts[2].Add(s);
        if (options.SplitBy == SplitUnit.Time)
        {
            // By start time (ties in session order): train | validation | test from the earliest on.
            var order = Enumerable.Range(0, trainingSessions).OrderBy(s => sessions[s].Timestamps[0]).ThenBy(s => s).ToArray();
            var n = order.Length;
            int testCount;
            if (separateTest) testCount = 0;
            else if (options.TestDays > 0)
            {
                var cut = sessions[order[^1]].Timestamps[0] - options.TestDays * 86_400;
                testCount = order.Count(s => sessions[s].Timestamps[0] > cut);
            }
            else testCount = Math.Max(1, (int)Math.Round(options.TestFraction * n));
            var validationCount = options.ValidationFraction > 0 ? Math.Max(1, (int)Math.Round(options.ValidationFraction * n)) : 0;
            if (n - testCount - validationCount < 1)
                throw new ArgumentException($"The time split leaves no training sessions out of {n} ({testCount} test, {validationCount} validation).");
            if (!separateTest && testCount == 0)
                throw new ArgumentException("The time split leaves no test sessions.");
            for (var k = 0; k < n; k++)
                parts[k < n - testCount - validationCount ? 0 : k < n - testCount ? 1 : 2].Add(order[k]);
            foreach (var p in parts) p.Sort();
            return (parts, [parts[0].Count, parts[1].Count, parts[2].Count]);
        }
        // Split units in order of first appearance.
        var unitOf = new int[trainingSessions];
        var unitIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var s = 0; s < trainingSessions; s++)
        {
            var key = options.SplitBy == SplitUnit.User ? sessions[s].User : sessions[s].Name;
            if (!unitIds.TryGetValue(key, out var u))
                unitIds[key] = u = unitIds.Count;
            unitOf[s] = u;
        }
        var units = unitIds.Count;
        if (units < (separateTest ? 1 : 3))
            throw new ArgumentException($"Only {units} {options.SplitBy.ToString().ToLowerInvariant()}(s) to split; need at least 3.");
        var permutation = TrainTestSplit.Permutation(units, (uint)options.Seed);
        var testUnits = separateTest ? 0 : Math.Max(1, (int)Math.Round(options.TestFraction * units));
        var validationUnits = options.ValidationFraction > 0 ? Math.Max(1, (int)Math.Round(options.ValidationFraction * units)) : 0;
        var trainUnits = units - testUnits - validationUnits;
        if (trainUnits < 1)
            throw new ArgumentException($"The split leaves no training {options.SplitBy.ToString().ToLowerInvariant()}s out of {units}.");
        var splitOfUnit = new int[units];
        for (var k = 0; k < units; k++)
            splitOfUnit[permutation[k]] = k < trainUnits ? 0 : k < trainUnits + validationUnits ? 1 : 2;
        for (var s = 0; s < trainingSessions; s++)
            parts[splitOfUnit[unitOf[s]]].Add(s);
        return (parts, [trainUnits, validationUnits, separateTest ? parts[2].Count : testUnits]);
    }

    /// <summary>
    /// Refuses a dataset whose padded sample matrices would exceed <see cref="SequenceOptions.MemoryBudgetBytes"/> or
    /// an array's largest length, computed in long arithmetic before any is allocated (the product overflowed an int
    /// before: <c>--max-len 450</c> on 5 M events).
    /// </summary>
    /// <exception cref="ArgumentException">The samples would not fit (parameter <see cref="SequenceOptions.MaxLength"/>).</exception>
    private static void RequireSampleMemory(IReadOnlyList<SessionSequence> sessions, SequenceOptions options)
    {
        long samples = 0;
        var longest = 0;
        foreach (var session in sessions)
        {
            samples += Math.Max(0, session.Tokens.Length - 1);
            longest = Math.Max(longest, session.Tokens.Length);
        }
        var perStep = 2L + options.ExtraInputs.Count + options.NumericInputs.Count; // token, gap, extra tokens, numeric inputs
        var values = samples * options.MaxLength;
        var bytes = values * perStep * sizeof(int) + samples * 2L * sizeof(int);
        var budget = options.MemoryBudgetBytes > 0
            ? options.MemoryBudgetBytes
            : (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * 0.8);
        string? limit = null;
        if (values * Math.Max(1, options.ExtraInputs.Count + options.NumericInputs.Count) > Array.MaxLength)
            limit = $"more than the {Array.MaxLength:N0} values one array can hold";
        else if (bytes > budget)
            limit = $"more than the {Gigabytes(budget)} this process may use";
        if (limit is not null)
            throw new ArgumentException(
                $"The samples would need {Gigabytes(bytes)} ({samples:N0} samples × {options.MaxLength:N0} steps × {perStep} inputs × 4 bytes), {limit}; " +
                $"lower the window (the longest session has {longest:N0} events) or read fewer events.", nameof(SequenceOptions.MaxLength));
    }

    private static string Gigabytes(long bytes) => bytes switch
    {
        < 1_000_000 => $"{bytes:N0} bytes",
        < 1_000_000_000 => $"{bytes / 1e6:0.#} MB",
        _ => $"{bytes / 1e9:0.##} GB",
    };

    /// <summary>
    /// Every session of <paramref name="log"/> cleaned as for training (duplicates removed, time-sorted), one event or
    /// more, as the prefixes <see cref="SequenceModel.Predict(SessionPrefix)"/> takes.
    /// </summary>
    public static IReadOnlyList<SessionPrefix> Prefixes(EventLog log, SequenceField field = SequenceField.Action, IReadOnlyList<SequenceField>? extraInputs = null,
        IReadOnlyList<EventField>? numericInputs = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        return [.. Clean(log, 1, field, extraInputs ?? [], numericInputs ?? []).Sessions
            .Select(s => new SessionPrefix(s.Name, s.User, s.Actions, s.Timestamps, s.ExtraValues) { NumericValues = s.Numeric })];
    }

    /// <summary>Cleans the log into time-sorted, de-duplicated sessions (tokens not yet assigned).</summary>
    internal static (List<SessionSequence> Sessions, CleaningReport Report) Clean(EventLog log, int minEvents = 2, SequenceField field = SequenceField.Action,
        IReadOnlyList<SequenceField>? extraInputs = null, IReadOnlyList<EventField>? numericInputs = null)
    {
        numericInputs ??= [];
        var index = SessionIndex.Build(log);
        var timestamps = log.Timestamps;
        var actions = log.ActionCodes;
        var users = log.UserIds;
        var attributes = log.Attributes;
        var sessions = new List<SessionSequence>(index.SessionCount);
        int duplicates = 0, outOfOrder = 0, reordered = 0, dropped = 0, ties = 0;
        var dateOnly = log.Count > 0;
        foreach (var t in timestamps)
            if (t % 86_400 != 0) { dateOnly = false; break; }
        var kept = new List<int>();
        for (var s = 0; s < index.SessionCount; s++)
        {
            var rows = index.Rows(s);
            // Out of order: in file order (ascending row index) a timestamp below the previous one.
            var sessionOutOfOrder = 0;
            var fileOrder = rows.ToArray();
            Array.Sort(fileOrder);
            for (var i = 1; i < fileOrder.Length; i++)
                if (timestamps[fileOrder[i]] < timestamps[fileOrder[i - 1]]) sessionOutOfOrder++;
            outOfOrder += sessionOutOfOrder;
            if (sessionOutOfOrder > 0) reordered++;

            kept.Clear();
            var runStart = 0; // first kept position with the current timestamp
            var previous = double.NaN;
            foreach (var row in rows)
            {
                if (dateOnly && timestamps[row] == previous) ties++;
                previous = timestamps[row];
                if (kept.Count > 0 && timestamps[kept[^1]] != timestamps[row])
                    runStart = kept.Count;
                var duplicate = false;
                for (var k = runStart; k < kept.Count && !duplicate; k++)
                {
                    var other = kept[k];
                    duplicate = actions[other] == actions[row] && users[other] == users[row] && SameAttributes(attributes[other], attributes[row]);
                }
                if (duplicate) duplicates++;
                else kept.Add(row);
            }
            if (kept.Count < minEvents)
            {
                dropped++;
                continue;
            }
            var n = kept.Count;
            var gaps = new float[n];
            var names = new string[n];
            var times = new double[n];
            var extras = extraInputs ?? [];
            var extraValues = new string[extras.Count][];
            var extraTokens = new int[extras.Count][];
            for (var k = 0; k < extras.Count; k++)
            {
                extraValues[k] = new string[n];
                extraTokens[k] = new int[n];
                for (var i = 0; i < n; i++)
                    extraValues[k][i] = ValueOf(log, kept[i], extras[k]);
            }
            var numeric = new float[numericInputs.Count][];
            for (var k = 0; k < numeric.Length; k++)
            {
                numeric[k] = new float[n];
                for (var i = 0; i < n; i++)
                    numeric[k][i] = NumericValue(attributes[kept[i]], numericInputs[k]);
            }
            for (var i = 0; i < n; i++)
            {
                times[i] = timestamps[kept[i]];
                names[i] = ValueOf(log, kept[i], field);
                if (i > 0)
                    gaps[i] = (float)Math.Log(1 + Math.Max(times[i] - times[i - 1], 0));
            }
            sessions.Add(new SessionSequence(log.Sessions[index.SessionIds[s]], log.Users[users[kept[0]]], new int[n], gaps, names, times, extraValues, extraTokens, numeric));
        }
        return (sessions, new CleaningReport(log.Count, duplicates, outOfOrder, reordered, index.SessionCount, dropped, sessions.Count) { DateOnlyTies = ties });
    }

    private static string ValueOf(EventLog log, int row, SequenceField field) => field switch
    {
        SequenceField.Category => log.Attributes[row].Category is >= 0 and var c ? log.Categories[c] : NoValue,
        SequenceField.Page => log.Attributes[row].Page is >= 0 and var p ? log.Pages[p] : NoValue,
        SequenceField.Item => log.Attributes[row].Item is >= 0 and var i ? log.Items[i] : NoValue,
        _ => log.Actions[log.ActionCodes[row]],
    };

    /// <summary>A numeric input's value: scroll depth as it is, money as sign·log1p(|x|) (heavy-tailed), 0 when absent.</summary>
    internal static float NumericValue(in EventAttributes a, EventField field)
    {
        var x = field switch
        {
            EventField.ScrollDepth => a.ScrollDepth,
            EventField.Cost => SignedLog(a.Cost),
            EventField.Revenue => SignedLog(a.Revenue),
            _ => throw new ArgumentOutOfRangeException(nameof(field), field, "not a numeric input"),
        };
        return double.IsFinite(x) ? (float)x : 0f;

        static double SignedLog(double v) => double.IsFinite(v) ? Math.CopySign(Math.Log(1 + Math.Abs(v)), v) : double.NaN;
    }

    private static bool SameAttributes(in EventAttributes a, in EventAttributes b) =>
        a.ScrollDepth.Equals(b.ScrollDepth) && a.Cost.Equals(b.Cost) && a.Revenue.Equals(b.Revenue) && a.Page == b.Page
        && a.Category == b.Category && a.Campaign == b.Campaign && a.AdType == b.AdType && a.Placement == b.Placement && a.Item == b.Item;
}
