import Fastify from 'fastify';

/**
 * The ceiling: bare Fastify 5 answering `{ hello: 'world' }`, run as its own process exactly like
 * our server. POST takes a JSON body (parsed by Fastify's default parser, then ignored) so the create
 * case is compared against a server that also reads a body. Prints one JSON line with its `url`.
 */
const app = Fastify();
app.get('/hello', async () => ({ hello: 'world' }));
app.post('/hello', async () => ({ hello: 'world' }));

const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(JSON.stringify({ url: address }));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
