using Keyway.Configuration;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Configuration;

public sealed class KeywayOptionsLoaderTests
{
    [Fact]
    public void Defaults_GenerateSecretAndTokenOnce_WithOwnerOnlyFiles()
    {
        using var dir = new TempDirectory();

        var first = KeywayOptionsLoader.Load(new Dictionary<string, string>(), dir.Path);
        var second = KeywayOptionsLoader.Load(new Dictionary<string, string>(), dir.Path);

        Assert.Equal("127.0.0.1", first.Host);
        Assert.Equal(9233, first.Port);
        Assert.Equal(Path.Combine(dir.Path, "data"), first.DataDir);
        Assert.True(first.SecretGenerated);
        Assert.True(first.AdminTokenGenerated);
        Assert.False(second.SecretGenerated);
        Assert.Equal(first.Secret, second.Secret);
        Assert.Equal(first.AdminToken, second.AdminToken);
        var mode = File.GetUnixFileMode(Path.Combine(first.DataDir, KeywayOptionsLoader.SecretFileName));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
    }

    [Theory]
    [InlineData(KeywayOptionsLoader.AdminTokenFileName, "")]
    [InlineData(KeywayOptionsLoader.AdminTokenFileName, " \n")]
    [InlineData(KeywayOptionsLoader.SecretFileName, "")]
    public void EmptySecretFiles_AreRefused_NotTakenAsTheEmptyString(string file, string content)
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(dir.Path, "data"));
        File.WriteAllText(Path.Combine(dir.Path, "data", file), content);

        var error = Assert.Throws<InvalidConfigurationException>(() => KeywayOptionsLoader.Load(new Dictionary<string, string>(), dir.Path));

        Assert.Equal($"{Path.Combine(dir.Path, "data", file)} is empty: delete it to have a new one generated, or write the value into it.", error.Message);
    }

    /// <summary>A short admin token still starts the gateway (deployments have them), with a warning naming its length.</summary>
    [Theory]
    [InlineData("a", "KEYWAY_ADMIN_TOKEN is 1 character long")]
    [InlineData("fifteen-chars-x", "KEYWAY_ADMIN_TOKEN is 15 characters long")]
    [InlineData("sixteen-chars-xx", null)]
    public void ShortAdminToken_IsWarnedAbout_NotRefused(string token, string? warning)
    {
        using var dir = new TempDirectory();

        var options = KeywayOptionsLoader.Load(new Dictionary<string, string> { ["KEYWAY_ADMIN_TOKEN"] = token }, dir.Path);

        Assert.Equal(token, options.AdminToken);
        if (warning is null)
        {
            Assert.Null(StartupBanner.AdminTokenWarning(options));
        }
        else
        {
            Assert.StartsWith($"WARNING: {warning}", StartupBanner.AdminTokenWarning(options));
        }
    }

    [Fact]
    public void EnvFile_IsRead_ButRealEnvironmentWins()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, ".env"),
            "# comment\nKEYWAY_PORT=9300\nexport KEYWAY_ADMIN_TOKEN=\"from-file\"\nKEYWAY_SECRET='file-secret-0123456789'\n");

        var options = KeywayOptionsLoader.Load(new Dictionary<string, string> { ["KEYWAY_PORT"] = "9400" }, dir.Path);

        Assert.Equal(9400, options.Port);
        Assert.Equal("from-file", options.AdminToken);
        Assert.Equal("file-secret-0123456789", options.Secret);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("true", true)]
    [InlineData("FALSE", false)]
    public void LogToolQueries_IsOffUnlessSet(string? value, bool expected)
    {
        using var dir = new TempDirectory();
        var environment = value is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["KEYWAY_LOG_TOOL_QUERIES"] = value };

        Assert.Equal(expected, KeywayOptionsLoader.Load(environment, dir.Path).LogToolQueries);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("false", false)]
    [InlineData("on", true)]
    public void AnthropicCacheBreakpoints_AreOnUnlessSwitchedOff(string? value, bool expected)
    {
        using var dir = new TempDirectory();
        var environment = value is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["KEYWAY_ANTHROPIC_CACHE_BREAKPOINTS"] = value };

        Assert.Equal(expected, KeywayOptionsLoader.Load(environment, dir.Path).AnthropicCacheBreakpoints);
    }

    [Fact]
    public void FailoverDefaults_ComeFromTheEnvironment()
    {
        using var dir = new TempDirectory();
        var environment = new Dictionary<string, string>
        {
            ["KEYWAY_MAX_RETRIES"] = "4",
            ["KEYWAY_KEY_FAILURE_THRESHOLD"] = "3",
            ["KEYWAY_KEY_COOLDOWN_SECONDS"] = "90",
            ["KEYWAY_KEY_WAIT_SECONDS"] = "20",
            ["KEYWAY_QUARANTINE_PROBE_SECONDS"] = "15",
        };

        var failover = KeywayOptionsLoader.Load(environment, dir.Path).Failover;

        Assert.Equal(4, failover.MaxRetries);
        Assert.Equal(3, failover.KeyFailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(90), failover.KeyCooldown);
        Assert.Equal(TimeSpan.FromSeconds(20), failover.KeyWait);
        Assert.Equal(TimeSpan.FromSeconds(15), failover.ProbeInterval);
        Assert.Equal(5, failover.QuarantineAfterFailures);
    }

    [Theory]
    [InlineData("KEYWAY_MAX_RETRIES", "11", "KEYWAY_MAX_RETRIES must be an integer between 0 and 10")]
    [InlineData("KEYWAY_KEY_WAIT_SECONDS", "601", "KEYWAY_KEY_WAIT_SECONDS must be an integer between 0 and 600")]
    [InlineData("KEYWAY_PORT", "70000", "KEYWAY_PORT must be an integer between 0 and 65535")]
    [InlineData("KEYWAY_WEBSOCKET_IDLE_SECONDS", "0", "KEYWAY_WEBSOCKET_IDLE_SECONDS must be an integer between 1 and 3600")]
    [InlineData("KEYWAY_WEBSOCKETS_PER_KEY", "0", "KEYWAY_WEBSOCKETS_PER_KEY must be an integer between 1 and 100000")]
    [InlineData("KEYWAY_PORT", "abc", "KEYWAY_PORT must be an integer")]
    [InlineData("KEYWAY_LOG_LEVEL", "loud", "KEYWAY_LOG_LEVEL must be one of")]
    [InlineData("KEYWAY_SECRET", "short", "KEYWAY_SECRET is too short")]
    [InlineData("KEYWAY_HOST", "myhost.invalid", "KEYWAY_HOST must be an IP address")]
    [InlineData("KEYWAY_HOST", "999.1.1.1", "KEYWAY_HOST must be an IP address")]
    [InlineData("KEYWAY_METRICS_HOST", "bogus.invalid", "KEYWAY_METRICS_HOST must be an IP address")]
    [InlineData("KEYWAY_LOG_TOOL_QUERIES", "maybe", "KEYWAY_LOG_TOOL_QUERIES must be true or false")]
    [InlineData("KEYWAY_ANTHROPIC_CACHE_BREAKPOINTS", "sometimes", "KEYWAY_ANTHROPIC_CACHE_BREAKPOINTS must be true or false")]
    [InlineData("KEYWAY_METRICS_PORT", "9233", "KEYWAY_METRICS_PORT must differ from KEYWAY_PORT (9233)")]
    [InlineData("KEYWAY_METRICS_PORT", "0", "KEYWAY_METRICS_PORT must be an integer between 1 and 65535")]
    [InlineData("KEYWAY_OTLP_ENDPOINT", "collector:4318", "KEYWAY_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_ENDPOINT) must be an http(s) URL")]
    [InlineData("OTEL_EXPORTER_OTLP_PROTOCOL", "thrift", "OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or grpc")]
    [InlineData("KEYWAY_PUBLIC_BASE_URL", "notaurl", "KEYWAY_PUBLIC_BASE_URL must be an absolute http(s) URL such as https://keyway.example.com, got 'notaurl'.")]
    [InlineData("KEYWAY_PUBLIC_BASE_URL", "ftp://keyway.example.com", "KEYWAY_PUBLIC_BASE_URL must be an absolute http(s) URL")]
    [InlineData("KEYWAY_PUBLIC_BASE_URL", "/keyway", "KEYWAY_PUBLIC_BASE_URL must be an absolute http(s) URL")]
    [InlineData("KEYWAY_TRUSTED_PROXIES", "127.0.0.1,nginx", "KEYWAY_TRUSTED_PROXIES must be comma-separated IP addresses or CIDR ranges (127.0.0.1, 10.0.0.0/8, ::1), got 'nginx'.")]
    [InlineData("KEYWAY_TRUSTED_PROXIES", "10.0.0.0/33", "KEYWAY_TRUSTED_PROXIES must be comma-separated IP addresses or CIDR ranges (127.0.0.1, 10.0.0.0/8, ::1), got '10.0.0.0/33'.")]
    public void InvalidValues_AreRefusedWithOneClearMessage(string name, string value, string expected)
    {
        using var dir = new TempDirectory();

        var error = Assert.Throws<InvalidConfigurationException>(() =>
            KeywayOptionsLoader.Load(new Dictionary<string, string> { [name] = value }, dir.Path));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void FreePort_OnLocalhost_IsRefusedWithOneClearMessage_NotKestrelsCrash()
    {
        using var dir = new TempDirectory();
        var error = Assert.Throws<InvalidConfigurationException>(() =>
            KeywayOptionsLoader.Load(new Dictionary<string, string> { ["KEYWAY_HOST"] = "localhost", ["KEYWAY_PORT"] = "0" }, dir.Path));
        Assert.StartsWith("KEYWAY_PORT 0 (a free port) needs an IP address as KEYWAY_HOST", error.Message);
        Assert.Equal(0, KeywayOptionsLoader.Load(new Dictionary<string, string> { ["KEYWAY_HOST"] = "127.0.0.1", ["KEYWAY_PORT"] = "0" }, dir.Path).Port);
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("127.0.0.1", "127.0.0.1/32")]
    [InlineData(" 10.0.0.0/8 , ::1 ,fd00::/8", "10.0.0.0/8 ::1/128 fd00::/8")]
    public void TrustedProxies_AreAddressesOrRanges_NoneByDefault(string? value, string expected)
    {
        using var dir = new TempDirectory();
        var environment = value is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["KEYWAY_TRUSTED_PROXIES"] = value };

        var options = KeywayOptionsLoader.Load(environment, dir.Path);

        Assert.Equal(expected, string.Join(' ', options.TrustedProxies));
    }

    [Fact]
    public void PublicBaseUrl_IsKeptWithoutItsTrailingSlash()
    {
        using var dir = new TempDirectory();

        var options = KeywayOptionsLoader.Load(new Dictionary<string, string> { ["KEYWAY_PUBLIC_BASE_URL"] = "https://keyway.example.com/gw/" }, dir.Path);

        Assert.Equal("https://keyway.example.com/gw", options.PublicBaseUrl);
    }

    [Fact]
    public void MetricsAndTracing_DefaultToTheMainPortAndOff_AndReadTheStandardOtelVariables()
    {
        using var dir = new TempDirectory();

        var defaults = KeywayOptionsLoader.Load(new Dictionary<string, string>(), dir.Path);
        var standard = KeywayOptionsLoader.Load(new Dictionary<string, string>
        {
            ["KEYWAY_METRICS_PORT"] = "9464",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4318",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",
        }, dir.Path);
        var own = KeywayOptionsLoader.Load(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4318",
            ["KEYWAY_OTLP_ENDPOINT"] = "http://127.0.0.1:4319",
        }, dir.Path);

        Assert.Null(defaults.MetricsPort);
        Assert.Equal("127.0.0.1", defaults.MetricsHost);
        Assert.Null(defaults.OtlpEndpoint);
        Assert.Equal("http/protobuf", defaults.OtlpProtocol);
        Assert.Equal(9464, standard.MetricsPort);
        Assert.Equal(new Uri("http://127.0.0.1:4318"), standard.OtlpEndpoint);
        Assert.Equal("grpc", standard.OtlpProtocol);
        Assert.Equal(new Uri("http://127.0.0.1:4319"), own.OtlpEndpoint);
    }

    [Theory]
    [InlineData("127.0.0.1", "http://127.0.0.1:9464")]
    [InlineData("::1", "http://[::1]:9464")]
    [InlineData("localhost", "http://localhost:9464")]
    public void MetricsListenUrl_BracketsAnIPv6Host(string host, string expected)
    {
        using var dir = new TempDirectory();

        var options = KeywayOptionsLoader.Load(new Dictionary<string, string> { ["KEYWAY_METRICS_HOST"] = host, ["KEYWAY_METRICS_PORT"] = "9464" }, dir.Path);

        Assert.Equal(expected, options.MetricsListenUrl);
    }

    [Fact]
    public void UnwritableDataDir_IsRefused()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "not-a-dir");
        File.WriteAllText(file, "");

        var error = Assert.Throws<InvalidConfigurationException>(() =>
            KeywayOptionsLoader.Load(new Dictionary<string, string> { ["KEYWAY_DATA_DIR"] = file }, dir.Path));

        Assert.Equal(
            $"KEYWAY_DATA_DIR '{file}' is a file, not a directory: set KEYWAY_DATA_DIR to a directory (a missing one is created) or move the file away.",
            error.Message);
    }

    [Fact]
    public void DataDirBelowAFile_IsRefused_NamingTheFile()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "not-a-dir");
        File.WriteAllText(file, "");
        var dataDir = Path.Combine(file, "data");

        var error = Assert.Throws<InvalidConfigurationException>(() =>
            KeywayOptionsLoader.Load(new Dictionary<string, string> { ["KEYWAY_DATA_DIR"] = dataDir }, dir.Path));

        Assert.Equal(
            $"KEYWAY_DATA_DIR '{dataDir}' cannot be created: '{file}' is a file, not a directory; set KEYWAY_DATA_DIR elsewhere or move the file away.",
            error.Message);
    }

    /// <summary>
    /// A generated secret.key or admin.token its disk has no room for (a real full disk, <see cref="SmallDisk"/>) leaves no
    /// file at all, not an empty one that would stop the next start ("… is empty: delete it"): the next start with room
    /// generates both again.
    /// </summary>
    [SmallDiskFact]
    public void GeneratedFilesOnAFullDisk_FailNamingTheFile_LeaveNoFile_AndTheNextStartWithRoomGeneratesThem()
    {
        using var dir = new TempDirectory();
        using var disk = new SmallDisk();
        var environment = new Dictionary<string, string> { ["KEYWAY_DATA_DIR"] = disk.Path };
        var options = KeywayOptionsLoader.Load(environment, dir.Path, keepGenerated: false);
        disk.FillBytes();

        var secretFailure = Assert.Throws<IOException>(() => KeywayOptionsLoader.KeepGeneratedSecret(options));
        var tokenFailure = Assert.Throws<IOException>(() => KeywayOptionsLoader.KeepGeneratedAdminToken(options));

        // Each names its own file, not the temporary file the write went to (already removed again).
        Assert.Equal((28, $"No space left on device : '{Path.Combine(disk.Path, KeywayOptionsLoader.SecretFileName)}'"), (secretFailure.HResult, secretFailure.Message));
        Assert.Equal((28, $"No space left on device : '{Path.Combine(disk.Path, KeywayOptionsLoader.AdminTokenFileName)}'"), (tokenFailure.HResult, tokenFailure.Message));

        Assert.Empty(disk.Entries());
        disk.Free();
        var next = KeywayOptionsLoader.Load(environment, dir.Path);
        Assert.True(next.SecretGenerated && next.AdminTokenGenerated);
        Assert.Equal(next.Secret, File.ReadAllText(Path.Combine(disk.Path, KeywayOptionsLoader.SecretFileName)));
        Assert.Equal(next.AdminToken, File.ReadAllText(Path.Combine(disk.Path, KeywayOptionsLoader.AdminTokenFileName)));
    }
}
