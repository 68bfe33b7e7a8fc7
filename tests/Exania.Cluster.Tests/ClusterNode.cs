using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Exania.Cluster.Tests;

/// <summary>
/// One <c>exania serve --cluster</c> node as its own process on 127.0.0.1 (HTTP, silo and gateway ports picked free),
/// with failure detection tuned for a test (about 2 s probes). Its output is kept for the failure message. Disposing
/// kills it if it still runs: nothing outlives the test.
/// </summary>
internal sealed class ClusterNode : IAsyncDisposable
{
    public const string ApiKey = "cluster-admin-key";

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ClusterNode(string name, Process process, int httpPort)
    {
        Name = name;
        _process = process;
        Url = $"http://127.0.0.1:{httpPort}";
        Http = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(30) };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }
    public string Url { get; }

    /// <summary>The node's silo address as the cluster lists it, once a test asked (<c>/api/v1/cluster</c>'s <c>node</c>).</summary>
    public string? SiloAddress { get; set; }
    public HttpClient Http { get; }
    public int ProcessId => _process.Id;
    public bool Exited => _process.HasExited;

    /// <summary>What the node printed so far (its last 4,000 characters).</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.Length <= 4000 ? _output.ToString() : _output.ToString(_output.Length - 4000, 4000);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }

    /// <summary>Starts a node and waits until <c>/health/ready</c> says it joined (at most 90 s).</summary>
    public static async Task<ClusterNode> StartAsync(string name, string cluster, string db, string models, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var (http, silo, gateway) = (FreePort(), FreePort(), FreePort());
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "exania.dll"), "serve", "--db", db, "--models", models, "--urls", $"http://127.0.0.1:{http}",
                     "--cluster", cluster, "--silo-port", Port(silo), "--gateway-port", Port(gateway), "--store-live-events", "false", "--rate-limit", "0",
                 })
            start.ArgumentList.Add(a);
        start.Environment["Exania__ApiKey"] = ApiKey;
        // The test reloads by request only: a file watch would reload every node by itself and prove nothing.
        start.Environment["Exania__WatchModels"] = "false";
        start.Environment["Exania__Cluster__Membership__ProbeTimeout"] = "00:00:02";
        start.Environment["Exania__Cluster__Membership__NumMissedProbesLimit"] = "2";
        start.Environment["Exania__Cluster__Membership__TableRefreshTimeout"] = "00:00:02";
        start.Environment["Exania__Cluster__Membership__IAmAliveTablePublishTimeout"] = "00:00:05";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        var node = new ClusterNode(name, Process.Start(start)!, http);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(90));
        while (true)
        {
            if (node.Exited)
                throw new InvalidOperationException($"node {name} exited ({node._process.ExitCode}) before it was ready:\n{node.Output}");
            try
            {
                using var response = await node.Http.GetAsync("/health/ready", deadline.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                    return node;
            }
            catch (HttpRequestException)
            {
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                await node.DisposeAsync();
                throw new TimeoutException($"node {name} was not ready within 90 s:\n{node.Output}");
            }
            await Task.Delay(250, deadline.Token);
        }
    }

    /// <summary><c>kill -9</c> of the node's own process id: no shutdown, no flush, no goodbye to the cluster.</summary>
    public async Task KillAsync()
    {
        using (var kill = Process.Start("kill", ["-9", ProcessId.ToString(CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        await _process.WaitForExitAsync();
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
