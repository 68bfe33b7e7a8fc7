using System.Runtime.InteropServices;

namespace Exania.Store;

/// <summary>
/// The part of DuckDB's C API (<c>duckdb.h</c>, 1.5) that a parallel table function needs, declared here because
/// DuckDB.NET's table functions neither set <c>duckdb_init_set_max_threads</c> nor write vectors directly: they scan on
/// one thread, one boxed row and one call per value at a time. The library is the one DuckDB.NET loads (the same
/// <c>libduckdb</c> from the package's native assets).
/// </summary>
internal static unsafe partial class DuckDbNative
{
    private const string Library = "duckdb";

    /// <summary>Rows in one DuckDB vector (<c>STANDARD_VECTOR_SIZE</c>); <see cref="VectorSize"/> reads it from the library.</summary>
    public static readonly int VectorSize = checked((int)duckdb_vector_size());

    /// <summary>Values of <c>duckdb_type</c>.</summary>
    public enum DuckDbType
    {
        Integer = 4,
        BigInt = 5,
        Double = 11,
        Varchar = 17,
        Uuid = 27,
    }

    /// <summary>The layout of <c>duckdb_string_t</c>: a length, then up to 12 bytes inline, else a 4-byte prefix and a pointer.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 16)]
    public struct StringValue
    {
        public uint Length;
        public fixed byte Inline[12];
    }

    /// <summary>The layout of DuckDB's 128-bit integer (<c>duckdb_hugeint</c>), in which a UUID is stored.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct HugeInt
    {
        public ulong Lower;
        public long Upper;
    }

    [LibraryImport(Library)]
    public static partial ulong duckdb_vector_size();

    [LibraryImport(Library)]
    public static partial nint duckdb_create_table_function();

    [LibraryImport(Library)]
    public static partial void duckdb_destroy_table_function(nint* function);

    [LibraryImport(Library)]
    public static partial void duckdb_table_function_set_name(nint function, byte* name);

    [LibraryImport(Library)]
    public static partial void duckdb_table_function_set_extra_info(nint function, nint extraInfo, delegate* unmanaged[Cdecl]<nint, void> destroy);

    [LibraryImport(Library)]
    public static partial void duckdb_table_function_set_bind(nint function, delegate* unmanaged[Cdecl]<nint, void> bind);

    [LibraryImport(Library)]
    public static partial void duckdb_table_function_set_init(nint function, delegate* unmanaged[Cdecl]<nint, void> init);

    [LibraryImport(Library)]
    public static partial void duckdb_table_function_set_function(nint function, delegate* unmanaged[Cdecl]<nint, nint, void> scan);

    /// <summary>Returns 0 (<c>DuckDBSuccess</c>) or 1 (<c>DuckDBError</c>).</summary>
    [LibraryImport(Library)]
    public static partial int duckdb_register_table_function(nint connection, nint function);

    [LibraryImport(Library)]
    public static partial nint duckdb_bind_get_extra_info(nint info);

    [LibraryImport(Library)]
    public static partial void duckdb_bind_add_result_column(nint info, byte* name, nint type);

    [LibraryImport(Library)]
    public static partial void duckdb_bind_set_cardinality(nint info, ulong cardinality, [MarshalAs(UnmanagedType.U1)] bool isExact);

    [LibraryImport(Library)]
    public static partial void duckdb_bind_set_error(nint info, byte* error);

    [LibraryImport(Library)]
    public static partial void duckdb_init_set_init_data(nint info, nint data, delegate* unmanaged[Cdecl]<nint, void> destroy);

    [LibraryImport(Library)]
    public static partial void duckdb_init_set_max_threads(nint info, ulong threads);

    [LibraryImport(Library)]
    public static partial void duckdb_init_set_error(nint info, byte* error);

    [LibraryImport(Library)]
    public static partial nint duckdb_function_get_extra_info(nint info);

    [LibraryImport(Library)]
    public static partial nint duckdb_function_get_init_data(nint info);

    [LibraryImport(Library)]
    public static partial void duckdb_function_set_error(nint info, byte* error);

    [LibraryImport(Library)]
    public static partial nint duckdb_create_logical_type(DuckDbType type);

    [LibraryImport(Library)]
    public static partial void duckdb_destroy_logical_type(nint* type);

    [LibraryImport(Library)]
    public static partial void duckdb_data_chunk_set_size(nint chunk, ulong size);

    [LibraryImport(Library)]
    public static partial nint duckdb_data_chunk_get_vector(nint chunk, ulong column);

    [LibraryImport(Library)]
    public static partial void* duckdb_vector_get_data(nint vector);

    [LibraryImport(Library)]
    public static partial void duckdb_vector_ensure_validity_writable(nint vector);

    [LibraryImport(Library)]
    public static partial ulong* duckdb_vector_get_validity(nint vector);

    /// <summary>Copies a string longer than 12 bytes into the vector's own string heap.</summary>
    [LibraryImport(Library)]
    public static partial void duckdb_vector_assign_string_element_len(nint vector, ulong index, byte* value, ulong length);

    /// <summary>Calls <paramref name="call"/> with <paramref name="text"/> as a NUL-terminated UTF-8 string.</summary>
    public static void WithUtf8(string text, nint info, delegate*<nint, byte*, void> call)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(text) + 1];
        System.Text.Encoding.UTF8.GetBytes(text, bytes);
        fixed (byte* p = bytes)
            call(info, p);
    }
}
