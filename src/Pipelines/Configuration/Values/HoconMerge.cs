namespace Pipelines.Configuration.Values;

/// <summary>The rules for a later value (or a config) overriding an earlier one (or a fallback).</summary>
internal static class HoconMerge
{
    /// <summary>
    /// Returns <paramref name="top"/> with <paramref name="bottom"/> as its fallback, without changing either:
    /// objects merge key by key, any other resolved value wins outright, and unresolved values keep both sides
    /// for resolution time.
    /// </summary>
    public static HoconValue Merge(HoconValue top, HoconValue bottom)
    {
        if (top is HoconObject topObject)
        {
            if (bottom is HoconObject bottomObject)
            {
                return MergeObjects(topObject, bottomObject);
            }

            return bottom.IsUnresolved ? HoconDelayedMerge.Create(bottom, top) : top;
        }

        return top.IsUnresolved ? HoconDelayedMerge.Create(bottom, top) : top;
    }

    private static HoconObject MergeObjects(HoconObject top, HoconObject bottom)
    {
        if (top.Count == 0)
        {
            return bottom;
        }

        if (bottom.Count == 0)
        {
            return top;
        }

        var fields = new OrderedDictionary<string, HoconValue>(bottom.Count + top.Count, StringComparer.Ordinal);
        foreach (var (key, value) in bottom.Fields)
        {
            fields.Add(key, value);
        }

        foreach (var (key, value) in top.Fields)
        {
            fields[key] = fields.TryGetValue(key, out var existing) ? Merge(value, existing) : value;
        }

        return new HoconObject(fields, top.Position);
    }

    /// <summary>
    /// The parser's merge: like <see cref="Merge"/>, but an object defined earlier in the same parse is updated
    /// in place (it is not shared yet), which keeps files with many path-expression keys linear.
    /// </summary>
    public static HoconValue MergeWhileParsing(HoconValue top, HoconValue bottom)
    {
        if (top is HoconObject topObject && bottom is HoconObject bottomObject)
        {
            foreach (var (key, value) in topObject.Fields)
            {
                PutWhileParsing(bottomObject, key, value);
            }

            return bottomObject;
        }

        return Merge(top, bottom);
    }

    /// <summary>Sets <paramref name="key"/> of an object under construction, merging with an earlier value.</summary>
    public static void PutWhileParsing(HoconObject target, string key, HoconValue value)
    {
        if (target.Fields.TryGetValue(key, out var existing))
        {
            target.SetField(key, MergeWhileParsing(value, existing));
        }
        else
        {
            target.SetField(key, value);
        }
    }
}
