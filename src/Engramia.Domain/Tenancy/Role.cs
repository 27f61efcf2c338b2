namespace Engramia.Domain.Tenancy;

/// <summary>API key roles, lowest to highest. Anything else grants nothing.</summary>
public enum Role
{
    Reader = 1,
    Editor = 2,
    Admin = 3,
    Owner = 4,
}

public static class Roles
{
    public static string ToWire(this Role role) => role switch
    {
        Role.Reader => "reader",
        Role.Editor => "editor",
        Role.Admin => "admin",
        Role.Owner => "owner",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    public static bool TryParse(string? value, out Role role)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "reader": role = Role.Reader; return true;
            case "editor": role = Role.Editor; return true;
            case "admin": role = Role.Admin; return true;
            case "owner": role = Role.Owner; return true;
            default: role = default; return false;
        }
    }
}
