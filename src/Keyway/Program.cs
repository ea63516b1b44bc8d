using Keyway;
using Keyway.Configuration;
using Keyway.Storage;

// Configuration: environment, then ./.env, then defaults. Bad values end here with exit code 2.
KeywayOptions options;
try
{
    var environment = Environment.GetEnvironmentVariables()
        .Cast<System.Collections.DictionaryEntry>()
        .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");
    options = KeywayOptionsLoader.Load(environment, Directory.GetCurrentDirectory());
}
catch (InvalidConfigurationException e)
{
    Console.Error.WriteLine($"keyway: {e.Message}");
    return 2;
}

// The server: build, prepare the database (migrations, secret check, default group), run.
var app = KeywayApp.Build(options);
try
{
    await app.InitializeKeywayAsync(CancellationToken.None);
}
catch (StartupRefusedException e)
{
    Console.Error.WriteLine($"keyway: {e.Message}");
    return 2;
}
await app.StartAsync();
StartupBanner.Print(app, options);
await app.WaitForShutdownAsync();
return 0;
