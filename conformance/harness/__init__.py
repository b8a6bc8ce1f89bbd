"""The pieces of the pytest plugin (:mod:`conformance.plugin` wires them): target resolution, the embedded
endpoint, tracked clients and cleanup, outcome classification, results.json and Allure reporting."""
