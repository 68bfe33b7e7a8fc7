using Npgsql;

namespace Exania.Store.Tests;

/// <summary>
/// The PostgreSQL server the tests use: the connection string in <see cref="ConnectionVariable"/> (scripts/test.sh
/// starts a throwaway server with scripts/postgres.sh and sets it). When it is unset the PostgreSQL tests are skipped,
/// or fail when <see cref="RequireVariable"/> is 1.
/// </summary>
internal static class PostgresTestServer
{
    /// <summary>A connection string to a server where the tests may create and drop databases, e.g. <c>Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres</c>.</summary>
    public const string ConnectionVariable = "EXANIA_TEST_POSTGRES";

    /// <summary>Set to 1 to fail, rather than skip, when there is no server.</summary>
    public const string RequireVariable = "EXANIA_REQUIRE_POSTGRES";

    /// <summary>The server's connection string; otherwise skips the test, or fails it when <see cref="RequireVariable"/> is 1.</summary>
    public static string RequireConnectionString()
    {
        var connectionString = Environment.GetEnvironmentVariable(ConnectionVariable);
        if (SkipReason(connectionString, Environment.GetEnvironmentVariable(RequireVariable)) is { } reason)
            Assert.Skip(reason);
        return connectionString!;
    }

    /// <summary>
    /// The decision of <see cref="RequireConnectionString"/>, apart from the environment (so it can be tested): null
    /// when there is a server, a failed assertion when there is none and <paramref name="requireValue"/> is "1", else
    /// why the test is skipped.
    /// </summary>
    internal static string? SkipReason(string? connectionString, string? requireValue)
    {
        if (!string.IsNullOrWhiteSpace(connectionString))
            return null;
        if (requireValue == "1")
            Assert.Fail($"{RequireVariable}=1 but {ConnectionVariable} is not set; scripts/test.sh starts a PostgreSQL server with scripts/postgres.sh and sets it.");
        return $"No PostgreSQL server: {ConnectionVariable} is not set (scripts/test.sh sets it), so the PostgreSQL store tests did not run; set {RequireVariable}=1 to make this a failure.";
    }
}

/// <summary>A new, empty database on the test server (<c>exania_test_</c> and random hex), dropped when disposed.</summary>
internal sealed class TemporaryDatabase : IDisposable
{
    private readonly string _serverConnectionString;

    public TemporaryDatabase(string serverConnectionString)
    {
        _serverConnectionString = serverConnectionString;
        Name = "exania_test_" + Guid.NewGuid().ToString("N");
        // An identifier cannot be a parameter; the name is ours, letters and hex digits only.
        ExecuteOn(serverConnectionString, $"CREATE DATABASE \"{Name}\"");
        ConnectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = Name }.ConnectionString;
    }

    public string Name { get; }

    /// <summary>The server's connection string with this database.</summary>
    public string ConnectionString { get; }

    /// <summary>Runs <paramref name="sql"/> in this database on a connection of its own.</summary>
    public void Execute(string sql) => ExecuteOn(ConnectionString, sql);

    /// <summary>The first value <paramref name="sql"/> returns in this database.</summary>
    public object? Scalar(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }

    public void Dispose()
    {
        // The stores' connections go back to Npgsql's pool, still open: close them, and force out any left over.
        using (var connection = new NpgsqlConnection(ConnectionString))
            NpgsqlConnection.ClearPool(connection);
        ExecuteOn(_serverConnectionString, $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }

    private static void ExecuteOn(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
