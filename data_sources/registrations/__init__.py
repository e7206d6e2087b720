"""Partner registrations: schemas, templates, validation, import, history, sample workbooks."""

import transforms
from data_sources.registrations.models import staging_models

# Importing this package makes transforms.build create the stg_partner__* views.
if staging_models not in transforms.MODEL_PROVIDERS:
    transforms.MODEL_PROVIDERS.append(staging_models)
