using Pipelines.Engine.Stage;
using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Implementation;

/// <summary>
/// One materialization: walks the module tree, creates a logic per stage with its effective attributes, assigns
/// stages to islands (a module marked async starts a new island), wires edges inside an island as connections and
/// edges between islands through boundary buffers, and computes the materialized value.
/// </summary>
internal sealed class MaterializationSession(Materializer materializer)
{
    private readonly List<IslandBuilder> _islands = [];
    private readonly List<(ResolvedOut From, ResolvedIn To)> _edges = [];

    public List<Island> Islands { get; } = [];

    public object? Materialize(Module root, Attributes initialAttributes)
    {
        if (root.Shape.Inlets.Count != 0 || root.Shape.Outlets.Count != 0)
        {
            throw new ArgumentException("Only closed graphs (no open ports) can be run; connect a source and a sink first.", nameof(root));
        }

        var result = Walk(root, initialAttributes, NewIsland());
        FuseMappers();
        foreach (var (from, to) in _edges)
        {
            Connect(from.Resolve(), to.Resolve());
        }

        foreach (var builder in _islands)
        {
            if (builder.Logics.Count > 0)
            {
                Islands.Add(builder.Build());
            }
        }

        return result.Mat;
    }

    private IslandBuilder NewIsland()
    {
        var builder = new IslandBuilder(new Island(materializer, materializer.NextIslandId()));
        _islands.Add(builder);
        return builder;
    }

    private Result Walk(Module module, Attributes inherited, IslandBuilder island)
    {
        if (module.IsAsync)
        {
            island = NewIsland();
        }

        var effective = inherited.And(module.Attributes.Without<Attributes.AsyncBoundaryAttribute>());
        switch (module)
        {
            case StageModule stage:
            {
                var (logic, mat) = stage.Create(effective);
                logic.Attributes = effective;
                logic.Materializer = materializer;
                logic.StageName = effective.NameOrDefault(stage.DefaultName);
                island.Logics.Add(logic);
                var node = new LogicNode(logic, island);
                var ins = new ResolvedIn[stage.Shape.Inlets.Count];
                for (var i = 0; i < ins.Length; i++)
                {
                    ins[i] = new ResolvedIn(node, i);
                }

                var outs = new ResolvedOut[stage.Shape.Outlets.Count];
                for (var i = 0; i < outs.Length; i++)
                {
                    outs[i] = new ResolvedOut(node, i);
                }

                return new Result(mat, ins, outs);
            }

            case CompositeModule composite:
            {
                var children = new Result[composite.Children.Length];
                var mats = new object?[children.Length];
                for (var i = 0; i < children.Length; i++)
                {
                    children[i] = Walk(composite.Children[i], effective, island);
                    mats[i] = children[i].Mat;
                }

                foreach (var (from, to) in composite.Edges)
                {
                    _edges.Add((children[from.Child].Outs[from.Port], children[to.Child].Ins[to.Port]));
                }

                var ins = composite.ExposedInlets.Select(r => children[r.Child].Ins[r.Port]).ToArray();
                var outs = composite.ExposedOutlets.Select(r => children[r.Child].Outs[r.Port]).ToArray();
                return new Result(composite.Mat.Evaluate(mats), ins, outs);
            }

            default:
                throw new InvalidOperationException($"Unknown module type {module.GetType()}.");
        }
    }

    /// <summary>
    /// Replaces every run of adjacent mapper logics in one island (Select, Where, Collect, …) by a single logic running
    /// their composed mappers; each mapper keeps its own stage's supervision.
    /// </summary>
    private void FuseMappers()
    {
        for (var i = 0; i < _edges.Count; i++)
        {
            var upstream = _edges[i].From.Node.Current;
            var downstream = _edges[i].To.Node.Current;
            if (upstream == downstream
                || upstream.Island != downstream.Island
                || upstream.Logic is not IMapperLogic first
                || downstream.Logic is not IMapperLogic second)
            {
                continue;
            }

            var fused = first.Mapper.Then(second.Mapper).CreateLogic();
            fused.Attributes = upstream.Logic.Attributes;
            fused.Materializer = materializer;
            fused.StageName = $"{upstream.Logic}+{downstream.Logic}";
            var logics = upstream.Island.Logics;
            logics[logics.IndexOf(upstream.Logic)] = fused;
            logics.Remove(downstream.Logic);
            upstream.Logic = fused;
            downstream.Logic = fused;
            downstream.ReplacedBy = upstream;
            _edges.RemoveAt(i);
            i--;
        }
    }

    private void Connect(ResolvedOut from, ResolvedIn to)
    {
        if (from.Port.ElementType != to.Port.ElementType)
        {
            throw new InvalidOperationException(
                $"Cannot connect {from.Node.Logic}.{from.Port} ({from.Port.ElementType}) to {to.Node.Logic}.{to.Port} ({to.Port.ElementType}).");
        }

        if (from.Node.Island == to.Node.Island)
        {
            from.Node.Island.Connect(from.Node.Logic, from.Port, to.Node.Logic, to.Port);
            return;
        }

        // An edge between islands becomes a bounded single-producer/single-consumer buffer with a stage at each end.
        var capacity = to.Node.Logic.Attributes.Get<Attributes.InputBufferAttribute>()?.Max ?? materializer.Settings.DefaultBufferSize;
        var parts = to.Port.CreateBoundary(capacity);
        foreach (var (logic, island) in new[] { (parts.Producer, from.Node.Island), (parts.Consumer, to.Node.Island) })
        {
            logic.Attributes = to.Node.Logic.Attributes;
            logic.Materializer = materializer;
            logic.StageName = $"boundary({from.Node.Logic}->{to.Node.Logic})";
            island.Logics.Add(logic);
        }

        from.Node.Island.Connect(from.Node.Logic, from.Port, parts.Producer, parts.Producer.Shape.Inlets[0]);
        to.Node.Island.Connect(parts.Consumer, parts.Consumer.Shape.Outlets[0], to.Node.Logic, to.Port);
    }

    private sealed class LogicNode(GraphStageLogic logic, IslandBuilder island)
    {
        public GraphStageLogic Logic { get; set; } = logic;

        public IslandBuilder Island { get; } = island;

        public LogicNode? ReplacedBy { get; set; }

        public LogicNode Current => ReplacedBy?.Current ?? this;
    }

    // Ports are kept by index so they still resolve after mapper fusion replaced the node's logic (mappers have one of each).
    private readonly record struct ResolvedIn(LogicNode Node, int Index)
    {
        public Inlet Port => Node.Logic.Shape.Inlets[Index];

        public ResolvedIn Resolve() => this with { Node = Node.Current };
    }

    private readonly record struct ResolvedOut(LogicNode Node, int Index)
    {
        public Outlet Port => Node.Logic.Shape.Outlets[Index];

        public ResolvedOut Resolve() => this with { Node = Node.Current };
    }

    private readonly record struct Result(object? Mat, ResolvedIn[] Ins, ResolvedOut[] Outs);

    private sealed class IslandBuilder(Island island)
    {
        private readonly List<Connection> _connections = [];

        public List<GraphStageLogic> Logics { get; } = [];

        public void Connect(GraphStageLogic fromLogic, Outlet outlet, GraphStageLogic toLogic, Inlet inlet)
        {
            var connection = outlet.CreateConnection();
            fromLogic.Wire(outlet, connection);
            toLogic.Wire(inlet, connection);
            _connections.Add(connection);
        }

        public Island Build()
        {
            foreach (var logic in Logics)
            {
                var missing = logic.UnconnectedPorts().ToList();
                if (missing.Count > 0)
                {
                    throw new InvalidOperationException($"Ports {string.Join(", ", missing)} of {logic} are not connected.");
                }
            }

            island.Attach(new GraphInterpreter(island, [.. Logics], [.. _connections]));
            return island;
        }
    }
}
