using System.Text;

namespace Keyway.Cli.Tui;

/// <summary>What one key press did to a text field.</summary>
public enum LineOutcome
{
    Editing,
    Submitted,
    Cancelled,
}

/// <summary>
/// A one-line text field as state only: printable keys (q included) are typed, Backspace deletes, Enter submits and
/// Esc cancels.
/// </summary>
public sealed class LineEditor(string initial)
{
    private readonly StringBuilder _text = new(initial);

    public string Text => _text.ToString();

    public LineOutcome Handle(ConsoleKeyInfo key)
    {
        switch (key.Key)
        {
            case ConsoleKey.Enter:
                return LineOutcome.Submitted;
            case ConsoleKey.Escape:
                return LineOutcome.Cancelled;
            case ConsoleKey.Backspace when _text.Length > 0:
                _text.Length--;
                break;
            default:
                if (!char.IsControl(key.KeyChar) && key.KeyChar != '\0')
                {
                    _text.Append(key.KeyChar);
                }
                break;
        }
        return LineOutcome.Editing;
    }
}
