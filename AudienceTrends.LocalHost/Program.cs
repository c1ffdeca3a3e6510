using System.Globalization;
using System.Net.Sockets;
using AudienceTrends.LocalHost;
using Microsoft.AspNetCore.Hosting;

// Usage: AudienceTrends.LocalHost [--port N]   (run in the build output folder, as `func host start` is)
const int DefaultPort = 7071;
int? portArgument = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--port" && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536)
    {
        portArgument = p;
        i++;
    }
    else
    {
        await Console.Error.WriteLineAsync($"Unknown or invalid argument '{args[i]}'. Usage: AudienceTrends.LocalHost [--port N]");
        return 2;
    }
}

var settingsPath = File.Exists(LocalSettings.FileName) ? Path.GetFullPath(LocalSettings.FileName) : Path.Combine(AppContext.BaseDirectory, LocalSettings.FileName);
LocalSettings settings;
try
{
    settings = LocalSettings.Load(settingsPath);
}
catch (FileNotFoundException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 1;
}

var port = portArgument ?? settings.LocalHttpPort ?? DefaultPort;
await using var host = LocalFunctionsHost.Create(new LocalHostOptions
{
    Settings = settings.Values,
    ReadEnvironment = true,
    ConsoleLogs = true,
    ConfigureServer = builder => builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.ListenLocalhost(port)),
});

Console.WriteLine();
Console.WriteLine("Functions:");
Console.WriteLine();
foreach (var route in host.Http.Describe())
{
    Console.WriteLine($"        {route.Replace("] /", $"] http://localhost:{port}/", StringComparison.Ordinal)}");
}

foreach (var queue in host.Queues)
{
    Console.WriteLine($"        {queue.Function.Name}: queueTrigger ({queue.QueueName})");
}

foreach (var timer in host.Timers)
{
    Console.WriteLine($"        {timer.Function.Name}: timerTrigger ({timer.Expression})");
}

foreach (var disabled in host.Disabled)
{
    Console.WriteLine($"        {disabled.Name}: disabled (AzureWebJobs.{disabled.Name}.Disabled)");
}

Console.WriteLine();
try
{
    await host.StartAsync();
}
catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
{
    await Console.Error.WriteLineAsync(
        $"Port {port} is already in use (another run of the app, or `func`?). Stop it, or choose another port: --port <n>.");
    return 1;
}

Console.WriteLine($"Local host started on http://localhost:{port} (settings: {settingsPath}). Ctrl-C stops it.");

var stopped = new TaskCompletionSource();
using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, c => { c.Cancel = true; stopped.TrySetResult(); });
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stopped.TrySetResult(); });
await stopped.Task;
Console.WriteLine("Stopping the local host...");
await host.StopAsync();
return 0;
