using Pipelines.Streams.Stage;

namespace Pipelines.Streams.Implementation;

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
        foreach (var (from, to) in _edges)
        {
            Connect(from, to);
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
                    ins[i] = new ResolvedIn(node, logic.Shape.Inlets[i]);
                }

                var outs = new ResolvedOut[stage.Shape.Outlets.Count];
                for (var i = 0; i < outs.Length; i++)
                {
                    outs[i] = new ResolvedOut(node, logic.Shape.Outlets[i]);
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

    private sealed record LogicNode(GraphStageLogic Logic, IslandBuilder Island);

    private readonly record struct ResolvedIn(LogicNode Node, Inlet Port);

    private readonly record struct ResolvedOut(LogicNode Node, Outlet Port);

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
