using System.Runtime.CompilerServices;
using Pipelines.Configuration.Parsing;
using Pipelines.Configuration.Values;

namespace Pipelines.Configuration.Resolution;

/// <summary>
/// Replaces every substitution of a merged configuration by the value it names, looked up in the whole document
/// (then, for a single-element path, in the environment). Follows the HOCON rules: <c>${?x}</c> on an undefined
/// path removes the field (or array element, or concatenation piece), a self-referential field sees the value it
/// overrides, and a cycle that cannot be broken that way is an error naming the substitutions in it.
/// </summary>
internal sealed class HoconResolver
{
    private const int MaxDepth = 200;
    private readonly HoconObject _root;
    private readonly Func<string, string?> _environment;
    private readonly Dictionary<HoconValue, HoconValue?> _memo = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<HoconValue> _inProgress = new(ReferenceEqualityComparer.Instance);
    private readonly List<(HoconDelayedMerge Merge, HoconValue? Below)> _replacements = [];
    private readonly List<HoconSubstitution> _chain = [];
    private int _depth;

    private HoconResolver(HoconObject root, Func<string, string?> environment)
    {
        _root = root;
        _environment = environment;
    }

    /// <summary>Resolves <paramref name="root"/>; <paramref name="environment"/> answers for environment variables.</summary>
    public static HoconObject Resolve(HoconObject root, Func<string, string?> environment)
    {
        var resolver = new HoconResolver(root, environment);
        return (HoconObject)resolver.ResolveValue(root)!;
    }

    /// <summary>Returns the resolved value, or null when it is undefined (an unresolvable optional substitution).</summary>
    private HoconValue? ResolveValue(HoconValue value)
    {
        switch (value)
        {
            case HoconString or HoconNumber or HoconBoolean or HoconNull:
                return value;
        }

        var memoize = _replacements.Count == 0;
        if (memoize && _memo.TryGetValue(value, out var known))
        {
            return known;
        }

        if (!_inProgress.Add(value))
        {
            throw new CycleException(value);
        }

        if (++_depth > MaxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new HoconException(value.Position, $"substitutions are nested more than {MaxDepth} levels deep");
        }

        HoconValue? result;
        try
        {
            result = value switch
            {
                HoconObject o => ResolveObject(o),
                HoconArray a => ResolveArray(a),
                HoconSubstitution s => ResolveSubstitution(s),
                HoconConcatenation c => ResolveConcatenation(c),
                HoconDelayedMerge d => ResolveMerge(d),
                _ => value,
            };
        }
        finally
        {
            _inProgress.Remove(value);
            _depth--;
        }

        if (memoize && _replacements.Count == 0)
        {
            _memo[value] = result;
        }

        return result;
    }

    private HoconObject ResolveObject(HoconObject value)
    {
        OrderedDictionary<string, HoconValue>? changed = null;
        var index = 0;
        foreach (var (key, field) in value.Fields)
        {
            var resolved = ResolveValue(field);
            if (changed is null && !ReferenceEquals(resolved, field))
            {
                changed = new OrderedDictionary<string, HoconValue>(value.Count, StringComparer.Ordinal);
                var copied = 0;
                foreach (var (k, v) in value.Fields)
                {
                    if (copied++ == index)
                    {
                        break;
                    }

                    changed.Add(k, v);
                }
            }

            if (changed is not null && resolved is not null)
            {
                changed.Add(key, resolved);
            }

            index++;
        }

        return changed is null ? value : new HoconObject(changed, value.Position);
    }

    private HoconArray ResolveArray(HoconArray value)
    {
        List<HoconValue>? changed = null;
        var items = value.Items;
        for (var i = 0; i < items.Length; i++)
        {
            var resolved = ResolveValue(items[i]);
            if (changed is null && !ReferenceEquals(resolved, items[i]))
            {
                changed = new List<HoconValue>(items.Length);
                changed.AddRange(items.AsSpan(0, i));
            }

            if (changed is not null && resolved is not null)
            {
                changed.Add(resolved);
            }
        }

        return changed is null ? value : new HoconArray([.. changed], value.Position);
    }

    private HoconValue? ResolveConcatenation(HoconConcatenation value)
    {
        var pieces = new List<HoconValue>(value.Pieces.Length);
        var positions = new List<HoconPosition>(value.Pieces.Length);
        foreach (var piece in value.Pieces)
        {
            var resolved = ResolveValue(piece);
            if (resolved is not null)
            {
                pieces.Add(resolved);
                positions.Add(piece.Position);
            }
        }

        return HoconJoin.Join(pieces, positions, value.IsSecret);
    }

    /// <summary>
    /// Resolves the values assigned to one key from the earliest up. While a substitution or concatenation of the
    /// stack is resolved, lookups of this key see the merge of the values below it (the self-reference rule).
    /// </summary>
    private HoconValue? ResolveMerge(HoconDelayedMerge merge)
    {
        HoconValue? below = null;
        foreach (var element in merge.Stack)
        {
            HoconValue? resolved;
            if (element is HoconSubstitution or HoconConcatenation)
            {
                _replacements.Add((merge, below));
                try
                {
                    resolved = ResolveValue(element);
                }
                finally
                {
                    _replacements.RemoveAt(_replacements.Count - 1);
                }
            }
            else
            {
                resolved = ResolveValue(element);
            }

            if (resolved is not null)
            {
                below = below is null ? resolved : HoconMerge.Merge(resolved, below);
            }
        }

        return below;
    }

    private HoconValue? ResolveSubstitution(HoconSubstitution substitution)
    {
        _chain.Add(substitution);
        try
        {
            var found = Lookup(substitution.Path);
            if (found is null && substitution.PrefixLength > 0)
            {
                // In an included file, ${x} means the x next to it first, then x at the root.
                found = Lookup(substitution.Path.Skip(substitution.PrefixLength));
            }

            if (found is null)
            {
                var unprefixed = substitution.Path.Skip(substitution.PrefixLength);
                if (unprefixed.Length == 1 && IsVariableName(unprefixed[0]) && _environment(unprefixed[0]) is { } variable)
                {
                    found = new HoconString(variable, new HoconPosition("environment variable " + unprefixed[0], 0, 0));
                }
            }

            if (found is null && !substitution.Optional)
            {
                throw new HoconException(
                    substitution.Position,
                    $"could not resolve substitution {substitution}: no value at '{substitution.Path.Skip(substitution.PrefixLength).Render()}'"
                    + (substitution.Path.Length - substitution.PrefixLength == 1 ? " and no environment variable of that name" : string.Empty)
                    + "; use ${?…} if the value is optional");
            }

            return found;
        }
        catch (CycleException) when (substitution.Optional)
        {
            return null;
        }
        catch (CycleException cycle)
        {
            throw new HoconException(substitution.Position, DescribeCycle(substitution, cycle.Value));
        }
        finally
        {
            _chain.RemoveAt(_chain.Count - 1);
        }
    }

    private string DescribeCycle(HoconSubstitution substitution, HoconValue closing)
    {
        if (closing is HoconObject or HoconArray)
        {
            return $"substitution {substitution} refers to an object or array that contains it";
        }

        var start = _chain.FindIndex(s => ReferenceEquals(s, closing) || Contains(closing, s));
        var members = _chain.Skip(Math.Max(0, start)).Select(s => s.ToString()).ToList();
        return members.Count == 1
            ? $"substitution {substitution} refers to the value it defines, and there is no earlier value for it to use "
                + "(while a field is resolved, references to it see only the values it overrides)"
            : $"substitution cycle: {string.Join(" -> ", members)} -> {members[0]}";
    }

    // Names the environment cannot hold are not looked up (some platforms reject them).
    private static bool IsVariableName(string name) => name.Length > 0 && name.AsSpan().IndexOfAny('=', '\0') < 0;

    // True when the in-progress value that closed a cycle is the field holding this substitution.
    private static bool Contains(HoconValue value, HoconSubstitution substitution) => value switch
    {
        HoconConcatenation c => c.Pieces.Any(p => ReferenceEquals(p, substitution)),
        HoconDelayedMerge d => d.Stack.Any(p => ReferenceEquals(p, substitution) || Contains(p, substitution)),
        _ => false,
    };

    /// <summary>Finds and resolves the value at <paramref name="path"/>; null when there is none.</summary>
    private HoconValue? Lookup(HoconPath path)
    {
        HoconValue? node = _root;
        for (var i = 0; i < path.Length; i++)
        {
            node = Replace(node!, out var replaced);
            if (node is null)
            {
                return null;
            }

            if (!replaced && node.IsUnresolved)
            {
                node = ResolveValue(node);
            }

            if (node is not HoconObject container || !container.TryGetValue(path[i], out node))
            {
                return null;
            }
        }

        node = Replace(node!, out _);
        return node is null ? null : ResolveValue(node);
    }

    private HoconValue? Replace(HoconValue node, out bool replaced)
    {
        if (node is HoconDelayedMerge)
        {
            for (var i = _replacements.Count - 1; i >= 0; i--)
            {
                if (ReferenceEquals(_replacements[i].Merge, node))
                {
                    replaced = true;
                    return _replacements[i].Below;
                }
            }
        }

        replaced = false;
        return node;
    }

    /// <summary>A lookup reached a value that is still being resolved.</summary>
    private sealed class CycleException(HoconValue value) : Exception("substitution cycle")
    {
        public HoconValue Value { get; } = value;
    }
}
