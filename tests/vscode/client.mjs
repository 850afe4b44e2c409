// What VS Code's Jupyter extension does with an existing server ("Existing Jupyter Server": URL and
// token), through the same library: @jupyterlab/services. Run by test_vscode_client.py:
//   node client.mjs URL TOKEN   -> a last line of JSON, what it saw; exit 1 with one line on a failure.
// HTTPS with a self-signed certificate: NODE_EXTRA_CA_CERTS=cert.pem, as VS Code is told to trust it.
import { ContentsManager, KernelManager, KernelSpecManager, ServerConnection } from "@jupyterlab/services";
import WebSocket from "ws";

const [url, token] = process.argv.slice(2);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PLOT = "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()";

// Node 20 has fetch but no WebSocket of its own: the extension hands the library `ws` too.
const settings = (token) =>
  ServerConnection.makeSettings({ baseUrl: url, wsUrl: url.replace(/^http/, "ws"), token, WebSocket });

async function main() {
  const serverSettings = settings(token);
  const seen = {};

  // A wrong token is refused (the extension shows the server as unreachable).
  const refused = await ServerConnection.makeRequest(`${url}api/kernelspecs`, {}, settings("not-the-token"));
  seen.wrongTokenStatus = refused.status;

  const specs = new KernelSpecManager({ serverSettings });
  await specs.refreshSpecs();
  seen.kernelspecs = Object.keys(specs.specs.kernelspecs);

  const kernels = new KernelManager({ serverSettings });
  const kernel = await kernels.startNew({ name: "python3" });
  try {
    const future = kernel.requestExecute({ code: PLOT });
    const images = [];
    future.onIOPub = (msg) => {
      const data = msg.content.data;
      if (data && data["image/png"]) images.push(Buffer.from(data["image/png"], "base64"));
    };
    const reply = await future.done;
    seen.executeStatus = reply.content.status;
    seen.pngs = images.filter((image) => image.subarray(0, 8).equals(PNG)).length;
  } finally {
    await kernel.shutdown();
    kernels.dispose();
  }

  const contents = new ContentsManager({ serverSettings });
  const notebook = {
    cells: [{ cell_type: "code", source: PLOT, metadata: {}, outputs: [], execution_count: null }],
    metadata: {}, nbformat: 4, nbformat_minor: 5,
  };
  await contents.save("notebooks/from-vscode.ipynb", { type: "notebook", format: "json", content: notebook });
  const back = await contents.get("notebooks/from-vscode.ipynb");
  seen.savedSource = back.content.cells[0].source;
  specs.dispose();
  contents.dispose();
  console.log(JSON.stringify(seen));
}

// The library's pollers keep Node's event loop alive: exit when done.
main().then(
  () => process.exit(0),
  (error) => {
    console.error(`error: ${error.message || error}`);
    process.exit(1);
  },
);
