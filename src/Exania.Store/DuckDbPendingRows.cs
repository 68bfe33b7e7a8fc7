using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using DuckDB.NET.Data;
using Exania.Events;
using static Exania.Store.DuckDbNative;

namespace Exania.Store;

/// <summary>
/// The events of one ingest as a DuckDB table function, in the events table's column order: the INSERT reads them from
/// the log, key and occurrence arrays in place, with no copy into a staging table first. DuckDB scans it on all its
/// threads: each call claims the next vector's worth of rows (an atomic cursor) and writes them straight into the
/// chunk's vectors, so the scan, the anti-join's probe and the insert run in parallel.
/// </summary>
/// <remarks>
/// Written against DuckDB's C API (<see cref="DuckDbNative"/>): DuckDB.NET's table functions run on one thread, box
/// every row and make one call per value (measured on 993,681 events: INSERT 1.5 s through them).
/// Every callback catches what it throws and hands DuckDB the message, which fails the statement: an exception must
/// never unwind through native frames. A cancellation is reported the same way and the INSERT fails with it.
/// </remarks>
internal sealed unsafe class DuckDbPendingRows
{
    private static int s_registered;

    private static readonly (string Name, DuckDbType Type)[] Columns =
    [
        ("event_key", DuckDbType.Uuid), ("occurrence", DuckDbType.Integer), ("seq", DuckDbType.BigInt),
        ("user_id", DuckDbType.Varchar), ("session_id", DuckDbType.Varchar), ("ts", DuckDbType.Double), ("action", DuckDbType.Varchar),
        ("page", DuckDbType.Varchar), ("category", DuckDbType.Varchar), ("item_id", DuckDbType.Varchar), ("campaign_id", DuckDbType.Varchar),
        ("ad_type", DuckDbType.Varchar), ("placement", DuckDbType.Varchar),
        ("scroll_depth", DuckDbType.Double), ("cost", DuckDbType.Double), ("revenue", DuckDbType.Double),
    ];

    private EventLog? _log;
    private Guid[] _keys = [];
    private int[] _occurrences = [];
    private long _firstSeq;
    private CancellationToken _cancellation;

    private DuckDbPendingRows(string functionName) => FunctionName = functionName;

    /// <summary>
    /// The function's name in SQL. DuckDB keeps table functions in the database's catalog, which every connection to
    /// the same file in this process shares, so each store's function has a name of its own.
    /// </summary>
    public string FunctionName { get; }

    /// <summary>Registers a new function on <paramref name="connection"/>; it lives as long as the database does.</summary>
    public static DuckDbPendingRows Register(DuckDBConnection connection)
    {
        var rows = new DuckDbPendingRows($"exania_pending_events_{Interlocked.Increment(ref s_registered)}");
        var self = GCHandle.Alloc(rows);
        var function = duckdb_create_table_function();
        try
        {
            var name = Encoding.UTF8.GetBytes(rows.FunctionName + "\0");
            fixed (byte* p = name)
                duckdb_table_function_set_name(function, p);
            // DuckDB frees the handle (FreeHandle) when it destroys the function with the database.
            duckdb_table_function_set_extra_info(function, GCHandle.ToIntPtr(self), &FreeHandle);
            duckdb_table_function_set_bind(function, &Bind);
            duckdb_table_function_set_init(function, &Init);
            duckdb_table_function_set_function(function, &Scan);
            if (duckdb_register_table_function(connection.NativeConnection.DangerousGetHandle(), function) != 0)
                throw new InvalidOperationException($"DuckDB refused to register the table function {rows.FunctionName}.");
        }
        finally
        {
            duckdb_destroy_table_function(&function);
        }
        return rows;
    }

    public void Begin(EventLog log, Guid[] keys, int[] occurrences, long firstSeq, CancellationToken cancellation) =>
        (_log, _keys, _occurrences, _firstSeq, _cancellation) = (log, keys, occurrences, firstSeq, cancellation);

    public void End() => (_log, _keys, _occurrences) = (null, [], []);

    /// <summary>
    /// Called with the first row of each vector a scanning thread claims, before the cancellation is checked and the
    /// rows written: tests cancel an ingest at a known point inside its statement with it.
    /// </summary>
    internal Action<int>? VectorClaimed { get; set; }

    /// <summary>The next row a scanning thread claims; one per scan of the function.</summary>
    private sealed class Cursor
    {
        public int Next;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void FreeHandle(nint handle) => GCHandle.FromIntPtr(handle).Free();

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Bind(nint info)
    {
        try
        {
            var rows = (DuckDbPendingRows)GCHandle.FromIntPtr(duckdb_bind_get_extra_info(info)).Target!;
            var count = rows._log?.Count ?? throw new InvalidOperationException($"{rows.FunctionName} is read only inside an ingest.");
            foreach (var (name, type) in Columns)
            {
                var logical = duckdb_create_logical_type(type);
                var bytes = Encoding.UTF8.GetBytes(name + "\0");
                fixed (byte* p = bytes)
                    duckdb_bind_add_result_column(info, p, logical);
                duckdb_destroy_logical_type(&logical);
            }
            duckdb_bind_set_cardinality(info, (ulong)count, true);
        }
        catch (Exception e)
        {
            WithUtf8(e.Message, info, &duckdb_bind_set_error);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Init(nint info)
    {
        try
        {
            duckdb_init_set_init_data(info, GCHandle.ToIntPtr(GCHandle.Alloc(new Cursor())), &FreeHandle);
            // DuckDB caps this by its own thread count (SET threads).
            duckdb_init_set_max_threads(info, (ulong)Environment.ProcessorCount);
        }
        catch (Exception e)
        {
            WithUtf8(e.Message, info, &duckdb_init_set_error);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Scan(nint info, nint chunk)
    {
        try
        {
            var rows = (DuckDbPendingRows)GCHandle.FromIntPtr(duckdb_function_get_extra_info(info)).Target!;
            var cursor = (Cursor)GCHandle.FromIntPtr(duckdb_function_get_init_data(info)).Target!;
            var total = rows._log!.Count;
            var start = Interlocked.Add(ref cursor.Next, VectorSize) - VectorSize;
            var count = start >= total ? 0 : Math.Min(VectorSize, total - start);
            if (count > 0)
                rows.VectorClaimed?.Invoke(start);
            rows._cancellation.ThrowIfCancellationRequested();
            if (count > 0)
                rows.Write(chunk, start, count);
            duckdb_data_chunk_set_size(chunk, (ulong)count);
        }
        catch (Exception e)
        {
            WithUtf8(e is OperationCanceledException ? "The ingest was cancelled." : e.Message, info, &duckdb_function_set_error);
        }
    }

    /// <summary>Rows <paramref name="start"/> .. + <paramref name="count"/> into the chunk's vectors, column by column.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Write(nint chunk, int start, int count)
    {
        var log = _log!;
        var keys = new Span<HugeInt>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 0)), count);
        Span<byte> key = stackalloc byte[16];
        for (var r = 0; r < count; r++)
        {
            // DuckDB stores a UUID as the 128-bit big-endian number of its canonical text, with the top bit flipped so
            // that signed order is text order.
            _keys[start + r].TryWriteBytes(key, bigEndian: true, out _);
            keys[r] = new HugeInt
            {
                Upper = (long)(BinaryPrimitives.ReadUInt64BigEndian(key) ^ 0x8000_0000_0000_0000UL),
                Lower = BinaryPrimitives.ReadUInt64BigEndian(key[8..]),
            };
        }
        _occurrences.AsSpan(start, count).CopyTo(new Span<int>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 1)), count));
        var seqs = new Span<long>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 2)), count);
        for (var r = 0; r < count; r++)
            seqs[r] = _firstSeq + start + r;
        var attributes = log.Attributes.Slice(start, count);
        Texts(chunk, 3, log.Users, log.UserIds.Slice(start, count));
        Texts(chunk, 4, log.Sessions, log.SessionIds.Slice(start, count));
        log.Timestamps.Slice(start, count).CopyTo(new Span<double>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 5)), count));
        Actions(chunk, 6, log.Actions, log.ActionCodes.Slice(start, count));
        Texts(chunk, 7, log.Pages, attributes, static a => a.Page);
        Texts(chunk, 8, log.Categories, attributes, static a => a.Category);
        Texts(chunk, 9, log.Items, attributes, static a => a.Item);
        Texts(chunk, 10, log.Campaigns, attributes, static a => a.Campaign);
        Texts(chunk, 11, log.AdTypes, attributes, static a => a.AdType);
        Texts(chunk, 12, log.Placements, attributes, static a => a.Placement);
        Numbers(chunk, 13, attributes, static a => a.ScrollDepth);
        Numbers(chunk, 14, attributes, static a => a.Cost);
        Numbers(chunk, 15, attributes, static a => a.Revenue);
    }

    private static void Texts(nint chunk, int column, StringPool pool, ReadOnlySpan<int> ids)
    {
        var vector = duckdb_data_chunk_get_vector(chunk, (ulong)column);
        var values = (StringValue*)duckdb_vector_get_data(vector);
        ulong* validity = null;
        for (var r = 0; r < ids.Length; r++)
        {
            if (pool.ValueOrNull(ids[r]) is { } text)
                Text(vector, values, r, text);
            else
                SetNull(vector, ref validity, r);
        }
    }

    /// <summary>An attribute's text column: its ids gathered from the rows (at most a vector's worth), then as above.</summary>
    private static void Texts(nint chunk, int column, StringPool pool, ReadOnlySpan<EventAttributes> attributes, Func<EventAttributes, int> field)
    {
        Span<int> ids = stackalloc int[attributes.Length];
        for (var r = 0; r < attributes.Length; r++)
            ids[r] = field(attributes[r]);
        Texts(chunk, column, pool, ids);
    }

    private static void Actions(nint chunk, int column, ActionVocabulary actions, ReadOnlySpan<int> codes)
    {
        var vector = duckdb_data_chunk_get_vector(chunk, (ulong)column);
        var values = (StringValue*)duckdb_vector_get_data(vector);
        for (var r = 0; r < codes.Length; r++)
            Text(vector, values, r, actions[codes[r]]);
    }

    private static void Numbers(nint chunk, int column, ReadOnlySpan<EventAttributes> attributes, Func<EventAttributes, double> field)
    {
        var vector = duckdb_data_chunk_get_vector(chunk, (ulong)column);
        var values = (double*)duckdb_vector_get_data(vector);
        ulong* validity = null;
        for (var r = 0; r < attributes.Length; r++)
        {
            var value = field(attributes[r]);
            if (double.IsNaN(value))
                SetNull(vector, ref validity, r);
            else
                values[r] = value;
        }
    }

    /// <summary>
    /// Writes <paramref name="text"/> as row <paramref name="row"/>: a string of up to 12 UTF-8 bytes inline (zero-padded,
    /// as DuckDB compares inline strings by all 16 bytes), a longer one through DuckDB, which copies it into the vector's heap.
    /// </summary>
    private static void Text(nint vector, StringValue* values, int row, string text)
    {
        if (text.Length <= 12 && Ascii.IsValid(text))
        {
            var value = values + row;
            *value = default;
            value->Length = (uint)text.Length;
            Encoding.ASCII.GetBytes(text, new Span<byte>(value->Inline, 12));
            return;
        }
        var length = Encoding.UTF8.GetByteCount(text);
        if (length <= 256)
        {
            var bytes = stackalloc byte[length];
            Encoding.UTF8.GetBytes(text, new Span<byte>(bytes, length));
            duckdb_vector_assign_string_element_len(vector, (ulong)row, bytes, (ulong)length);
        }
        else
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            fixed (byte* p = bytes)
                duckdb_vector_assign_string_element_len(vector, (ulong)row, p, (ulong)length);
        }
    }

    private static void SetNull(nint vector, ref ulong* validity, int row)
    {
        if (validity == null)
        {
            duckdb_vector_ensure_validity_writable(vector);
            validity = duckdb_vector_get_validity(vector);
        }
        validity[row >> 6] &= ~(1UL << (row & 63));
    }
}
