// go-zero's login-log example on Pipelines: `dotnet run --project examples/LoginLog`, then
//   curl -XPOST localhost:5080/login -H 'content-type: application/json' -d '{"userId":"u1","ip":"10.0.0.1"}'
//   curl localhost:5080/logins/u1
using LoginLog;

await LoginLogApp.Build(args).RunAsync().ConfigureAwait(false);
