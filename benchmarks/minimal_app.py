"""The floor for the first-render benchmark: a Streamlit app that draws one plotly chart."""

import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="Minimaal", layout="wide")
figure = go.Figure(go.Bar(x=["A", "B", "C", "D"], y=[3, 1, 4, 1]))
st.plotly_chart(figure, key="minimal_chart")
