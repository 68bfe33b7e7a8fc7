using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Exania.Cli;

/// <summary>
/// One <c>exania serve --cluster</c> node of this same build, as a child process on 127.0.0.1 with free HTTP, silo
/// and gateway ports; ready once <c>/health/ready</c> says it joined. Its output is kept (the last 4,000 characters)
/// for a failure message. <c>bench cluster</c> and the cluster tests start their nodes with it; disposing kills a
/// node that still runs, so nothing outlives its caller.
/// </summary>
internal sealed class ClusterNodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ClusterNodeProcess(string name, Process process, int httpPort)
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
    public HttpClient Http { get; }
    public int ProcessId => _process.Id;
    public bool Exited => _process.HasExited;

    /// <summary>The node's silo address as the cluster lists it, once someone asked (<c>/api/v1/cluster</c>'s <c>node</c>).</summary>
    public string? SiloAddress { get; set; }

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

    /// <summary>
    /// Starts <c>serve --db <paramref name="db"/> --models <paramref name="models"/> --cluster <paramref name="cluster"/></c>
    /// plus <paramref name="extraArguments"/>, with <paramref name="environment"/> added to its environment, and waits
    /// until it is ready (at most <paramref name="readyTimeout"/>).
    /// </summary>
    /// <exception cref="IOException">The node exited, or was not ready in time; the message holds its output.</exception>
    public static async Task<ClusterNodeProcess> StartAsync(string name, string cluster, string db, string models, IEnumerable<string> extraArguments,
        IReadOnlyDictionary<string, string> environment, TimeSpan readyTimeout, CancellationToken cancellationToken)
    {
        var (http, silo, gateway) = (FreePort(), FreePort(), FreePort());
        // The apphost of the installed tool, or `dotnet exania.dll` (a test, `dotnet run`): either way this same build.
        var self = Environment.ProcessPath!;
        var asTool = Path.GetFileNameWithoutExtension(self) == "exania";
        var start = new ProcessStartInfo(asTool ? self : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (!asTool)
            start.ArgumentList.Add(typeof(ClusterNodeProcess).Assembly.Location);
        foreach (var a in new[]
                 {
                     "serve", "--db", db, "--models", models, "--urls", $"http://127.0.0.1:{http}", "--cluster", cluster,
                     "--silo-port", silo.ToString(CultureInfo.InvariantCulture), "--gateway-port", gateway.ToString(CultureInfo.InvariantCulture),
                 }.Concat(extraArguments))
            start.ArgumentList.Add(a);
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        var node = new ClusterNodeProcess(name, Process.Start(start)!, http);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(readyTimeout);
        try
        {
            while (true)
            {
                if (node.Exited)
                    throw new IOException($"cluster node {name} exited ({node._process.ExitCode}) before it was ready:\n{node.Output}");
                try
                {
                    using var response = await node.Http.GetAsync("/health/ready", deadline.Token).ConfigureAwait(false);
                    if (response.StatusCode == HttpStatusCode.OK)
                        return node;
                }
                catch (HttpRequestException)
                {
                }
                await Task.Delay(250, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"cluster node {name} was not ready within {readyTimeout.TotalSeconds:0} s:\n{node.Output}");
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary><c>kill -9</c> of the node's own process id: no shutdown, no flush, no goodbye to the cluster.</summary>
    public async Task KillAsync()
    {
        using (var kill = Process.Start("kill", ["-9", ProcessId.ToString(CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync().ConfigureAwait(false);
        await _process.WaitForExitAsync().ConfigureAwait(false);
    }

    /// <summary>SIGTERM: the node leaves the cluster cleanly; killed if it has not exited within 30 s.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
            return;
        using (var term = Process.Start("kill", ["-TERM", ProcessId.ToString(CultureInfo.InvariantCulture)]))
            await term.WaitForExitAsync().ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

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
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        _process.Dispose();
    }
}
