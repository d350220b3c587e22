import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createElement } from "react";
import App from "../App";
import type { Dataset } from "../bindings";
import { mockBackend, readyDatasetFixture, type BackendOptions } from "./backend";

/** Render the app with one ready dataset and open its detail view. */
export async function openModal(options: BackendOptions = {}, dataset: Dataset = readyDatasetFixture()) {
  const backend = mockBackend({ datasets: [dataset], ...options });
  const user = userEvent.setup();
  render(createElement(App));
  const card = await screen.findByTestId("dataset-card");
  await user.click(card);
  const modal = await screen.findByTestId("dataset-modal");
  return { backend, user, card, modal };
}

/** Open the detail view on its Tokenization tab. */
export async function openTokenization(options: BackendOptions = {}, dataset: Dataset = readyDatasetFixture()) {
  const opened = await openModal(options, dataset);
  await opened.user.click(within(opened.modal).getByRole("tab", { name: "Tokenization" }));
  const tab = within(opened.modal).getByTestId("tokenization-tab");
  return { ...opened, tab };
}
