using Exania.Testing;

namespace Exania.Cluster.Tests;

/// <summary><c>exania serve --cluster</c> with bad settings or no database: a clear message and the CLI's exit codes, no stack trace.</summary>
[Collection("cluster")]
public class ClusterCliTests(ClusterData data)
{
    [Theory]
    [InlineData("--silo-port", "70000", "--silo-port 70000 is not a TCP port")]
    [InlineData("--gateway-port", "0", "--gateway-port 0 is not a TCP port")]
    [InlineData("--silo-address", "not-an-ip", "--silo-address 'not-an-ip' is not an IP address")]
    public void Serve_BadClusterSetting_ExitsTwoNamingIt(string option, string value, string message)
    {
        var run = CliRunner.Run("serve", "--db", data.NewStore(), "--urls", "http://127.0.0.1:0", "--cluster", "Host=127.0.0.1;Port=1;Username=x;Database=y", option, value);
        Assert.Equal(2, run.Exit);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_SamePortTwice_ExitsTwo()
    {
        var run = CliRunner.Run("serve", "--db", data.NewStore(), "--urls", "http://127.0.0.1:0", "--cluster", "Host=127.0.0.1;Port=1;Username=x;Database=y",
            "--silo-port", "40001", "--gateway-port", "40001");
        Assert.Equal(2, run.Exit);
        Assert.Contains("give them different ports", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_ClusterDatabaseUnreachable_ExitsOneSayingSo()
    {
        // Port 1 on the loopback address: nothing listens, the connection is refused at once.
        var run = CliRunner.Run("serve", "--db", data.NewStore(), "--urls", "http://127.0.0.1:0", "--cluster", "Host=127.0.0.1;Port=1;Username=x;Database=y;Timeout=3");
        Assert.Equal(1, run.Exit);
        Assert.Contains("The cluster database cannot be reached", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }
}

/// <summary>The grain storage's connection string: two Npgsql settings added, unless the user named them.</summary>
public class StorageConnectionStringTests
{
    [Fact]
    public void AddsNoResetAndAutoPrepare_UnlessNamed()
    {
        var added = new Npgsql.NpgsqlConnectionStringBuilder(ClusterHosting.StorageConnectionString("Host=127.0.0.1;Database=c;Username=u"));
        Assert.True(added.NoResetOnClose);
        Assert.Equal(16, added.MaxAutoPrepare);
        Assert.Equal("c", added.Database);
        var kept = new Npgsql.NpgsqlConnectionStringBuilder(ClusterHosting.StorageConnectionString("Host=127.0.0.1;Database=c;No Reset On Close=false;maxautoprepare=0"));
        Assert.False(kept.NoResetOnClose);
        Assert.Equal(0, kept.MaxAutoPrepare);
    }
}
