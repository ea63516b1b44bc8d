namespace Keyway.Cli.Tui;

/// <summary>Client set-up through the `keyway connect` commands, their report shown: Claude Code, Codex, shell exports.</summary>
public static class ClientSetupScreen
{
    public static async Task RunAsync(TuiSession session)
    {
        MenuItem<Func<Task>>[] items =
        [
            new("Claude Code: a project's .claude/settings.local.json", async () =>
            {
                if (await session.Ui.AskAsync("connect claude-code", "Project directory", session.WorkingDirectory) is { } dir)
                {
                    await session.ShowCommandAsync("connect claude-code", "connect", "claude-code", "--dir", dir, "--group", session.Group);
                }
            }),
            new("Codex: $CODEX_HOME/config.toml and a keyway profile", () =>
                session.ShowCommandAsync("connect codex", "connect", "codex", "--group", session.Group)),
            new("Shell: export lines for OpenAI and Anthropic tools", () =>
                session.ShowCommandAsync("connect env", "connect", "env", "--group", session.Group)),
        ];
        while (await session.Ui.ChooseAsync("client set-up (each issues a new key named after the client)", null, items) is { } action)
        {
            await session.Ui.AttemptAsync(action);
        }
    }
}
