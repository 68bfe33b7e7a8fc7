using Npgsql;

namespace Exania.Cluster;

/// <summary>
/// Orleans' PostgreSQL schema (membership, grain state, the query table), created from Orleans' own scripts (embedded,
/// see Sql/README.md) the first time a node meets the database. Nodes that start together take an advisory lock, so
/// exactly one of them creates it; the others find it made.
/// </summary>
public static class ClusterSchema
{
    /// <summary>The scripts in the order Orleans documents: the query table first, then each provider's tables.</summary>
    public static IReadOnlyList<string> Scripts { get; } = ["PostgreSQL-Main.sql", "PostgreSQL-Clustering.sql", "PostgreSQL-Persistence.sql"];

    // Any fixed 64-bit number: the key of the advisory lock nodes take while they create the schema.
    private const long SchemaLockKey = 0x45584E_4F524C;

    /// <summary>The index the expiry sweep uses; not part of Orleans' schema, which it leaves unchanged.</summary>
    public const string ExpiryIndex = "CREATE INDEX IF NOT EXISTS exania_orleansstorage_modifiedon ON orleansstorage (graintypestring, modifiedon)";

    /// <summary>The text of one embedded script.</summary>
    public static string ScriptText(string name)
    {
        using var stream = typeof(ClusterSchema).Assembly.GetManifestResourceStream("Sql/" + name)
            ?? throw new InvalidOperationException($"The Orleans script {name} is not embedded in {typeof(ClusterSchema).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Creates the schema unless it is there; true when this call created it.</summary>
    /// <exception cref="NpgsqlException">The database cannot be reached.</exception>
    public static async Task<bool> EnsureAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("key", SchemaLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        bool created;
        await using (var exists = new NpgsqlCommand("SELECT to_regclass('orleansstorage') IS NOT NULL AND to_regclass('orleansmembershiptable') IS NOT NULL", connection, transaction))
            created = !(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        if (created)
        {
            foreach (var script in Scripts)
            {
                await using var command = new NpgsqlCommand(ScriptText(script), connection, transaction);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        // Exania's one addition, beside Orleans' tables: the expiry sweep (SessionStateCleanup) finds old rows by time.
        await using (var index = new NpgsqlCommand(ExpiryIndex, connection, transaction))
            await index.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return created;
    }
}
