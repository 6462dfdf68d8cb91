using System.Collections.Concurrent;

namespace LoginLog;

/// <summary>Where the handler keeps the logins it consumed: per user, in the order handled (a database in a real service).</summary>
public sealed class LoginStore
{
    private readonly ConcurrentDictionary<string, List<StoredLogin>> _byUser = new(StringComparer.Ordinal);

    /// <summary>How many logins are stored.</summary>
    public int Count => _byUser.Values.Sum(l => { lock (l) { return l.Count; } });

    /// <summary>Stores one login.</summary>
    public void Add(StoredLogin login)
    {
        var logins = _byUser.GetOrAdd(login.Event.UserId, _ => []);
        lock (logins)
        {
            logins.Add(login);
        }
    }

    /// <summary>A user's logins, in the order handled.</summary>
    public IReadOnlyList<StoredLogin> For(string userId)
    {
        if (!_byUser.TryGetValue(userId, out var logins))
        {
            return [];
        }

        lock (logins)
        {
            return [.. logins];
        }
    }
}

/// <summary>A stored login and where it was read from.</summary>
public sealed record StoredLogin(LoginEvent Event, int Partition, long Offset);
