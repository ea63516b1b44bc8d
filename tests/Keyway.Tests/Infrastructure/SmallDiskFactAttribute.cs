namespace Keyway.Tests.Infrastructure;

/// <summary>A test on a <see cref="SmallDisk"/>: skipped (and shown as skipped, with why) where one cannot be mounted.</summary>
public sealed class SmallDiskFactAttribute : FactAttribute
{
    public SmallDiskFactAttribute()
    {
        if (SmallDisk.WhyNot is { } why)
        {
            Skip = $"needs a small tmpfs mounted (root and CAP_SYS_ADMIN): {why}";
        }
    }
}
