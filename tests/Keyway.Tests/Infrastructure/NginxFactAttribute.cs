namespace Keyway.Tests.Infrastructure;

/// <summary>A test that runs nginx: skipped (and shown as skipped) where /usr/sbin/nginx is not installed.</summary>
public sealed class NginxFactAttribute : FactAttribute
{
    public const string Nginx = "/usr/sbin/nginx";

    public NginxFactAttribute()
    {
        if (!File.Exists(Nginx))
        {
            Skip = "nginx is not installed";
        }
    }
}
